/**
 * The shell blocks of the READMEs, read the way a reader sees them: fenced code blocks in order.
 *
 * A block is runnable when the line right before its opening fence (blank lines aside) is
 *
 *     <!-- runnable: <id> -->
 *     <!-- runnable: <id> expect="<text>" expect='<text with "quotes">' -->
 *     <!-- runnable: <id> stack="docker" expect="<text>" -->
 *
 * The comment is invisible on GitHub; the id names the block in test reports, and each `expect`
 * is text the block must print (on stdout or stderr). `stack="docker"` marks a block that needs
 * the compose stack: only the docker tier runs it. Both READMEs carry the same comments.
 */

/** One fenced code block of a Markdown file. */
export interface CodeBlock {
  /** The info string's first word (`sh`, `text`, `mermaid`…), or `''`. */
  lang: string;
  /** The block's text, without the fences. */
  code: string;
  /** 1-based line number of the opening fence. */
  line: number;
  /** Set when the block is marked runnable. */
  runnable?: Runnable;
}

/** A runnable block's marker: its id, the texts it must print, and the stack it needs. */
export interface Runnable {
  id: string;
  expect: string[];
  /** `docker`: runs against `docker compose` only; unset: against any stack. */
  stack?: 'docker';
}

/** A runnable shell block. */
export interface RunnableBlock extends CodeBlock {
  runnable: Runnable;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)?.*$/;
const MARKER =
  /^<!--\s*runnable:\s*([a-z0-9][a-z0-9-]*)(\s+stack="docker")?((?:\s+expect=(?:"[^"]*"|'[^']*'))*)\s*-->$/;
const EXPECT = /expect=(?:"([^"]*)"|'([^']*)')/g;

/** Every fenced code block of `markdown`, in order, with its runnable marker when present. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  let lastText = '';
  for (let index = 0; index < lines.length; index += 1) {
    const raw = lines[index]!;
    const open = FENCE.exec(raw);
    if (!open) {
      if (raw.trim()) lastText = raw.trim();
      continue;
    }
    const [, indent = '', fence = '```', lang = ''] = open;
    const body: string[] = [];
    let end = index + 1;
    for (; end < lines.length; end += 1) {
      const candidate = lines[end]!;
      if (
        candidate.trim().startsWith(fence[0]!.repeat(fence.length)) &&
        !candidate.trim().slice(fence.length).trim()
      ) {
        break;
      }
      body.push(candidate.startsWith(indent) ? candidate.slice(indent.length) : candidate);
    }
    if (end >= lines.length) throw new Error(`line ${index + 1}: code fence is never closed`);
    const marker = MARKER.exec(lastText);
    if (lastText.startsWith('<!-- runnable') && !marker) {
      throw new Error(`line ${index}: malformed runnable marker: ${lastText}`);
    }
    blocks.push({
      lang,
      code: body.join('\n'),
      line: index + 1,
      ...(marker
        ? {
            runnable: {
              id: marker[1]!,
              expect: [...(marker[3] ?? '').matchAll(EXPECT)].map((match) => match[1] ?? match[2]!),
              ...(marker[2] ? { stack: 'docker' as const } : {}),
            },
          }
        : {}),
    });
    lastText = '';
    index = end;
  }
  return blocks;
}

/** The runnable blocks of `markdown`, in order. */
export function runnableBlocks(markdown: string): RunnableBlock[] {
  return codeBlocks(markdown).filter((block): block is RunnableBlock => !!block.runnable);
}

/** Shell blocks (`sh`, `bash`, `shell`, `console`). */
export function shellBlocks(markdown: string): CodeBlock[] {
  return codeBlocks(markdown).filter((block) => /^(sh|bash|shell|zsh)$/.test(block.lang));
}

/**
 * A shell block's commands without its comments and blank lines: what must be identical in the
 * English and the Japanese README (the comments are translated).
 */
export function commandsOf(code: string): string {
  return code
    .split('\n')
    .filter((line) => line.trim() && !line.trim().startsWith('#'))
    .map((line) => line.trimEnd())
    .join('\n');
}

/** `markdown` with every fenced block's lines blanked (line numbers kept). */
function withoutFences(markdown: string): string {
  let fence: string | undefined;
  return markdown
    .split('\n')
    .map((line) => {
      const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence) {
        if (marker && marker.startsWith(fence) && !line.trim().slice(marker.length).trim()) {
          fence = undefined;
        }
        return '';
      }
      if (marker) {
        fence = marker;
        return '';
      }
      return line;
    })
    .join('\n');
}

/** The headings of one level (`##` by default) of a Markdown file, code blocks skipped. */
export function headings(markdown: string, level = 2): string[] {
  const prefix = `${'#'.repeat(level)} `;
  return withoutFences(markdown)
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) => line.slice(prefix.length).trim());
}

/**
 * Link targets that stay in the repository (`[text](path)`, `[text](path#anchor)`, `[text](#anchor)`;
 * no scheme), outside code blocks, as written.
 */
export function localLinks(markdown: string): string[] {
  const links: string[] = [];
  for (const match of withoutFences(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1]!;
    if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push(target);
  }
  return links;
}

/**
 * The anchor GitHub gives a heading: lower case, punctuation and symbols dropped (letters of any
 * script, digits, `-` and `_` kept), each space a hyphen; a repeated anchor gets `-1`, `-2`…
 */
export function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of withoutFences(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = heading
      .replace(/`/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}
