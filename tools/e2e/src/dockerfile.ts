/** One instruction of a Dockerfile, continuation lines joined. */
export interface Instruction {
  keyword: string;
  /** Everything after the keyword, as written. */
  args: string;
  line: number;
}

/** One `FROM … AS name` stage and its instructions. */
export interface Stage {
  name: string;
  /** The image or earlier stage it starts from, after `ARG` substitution. */
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** `ARG`s declared before the first `FROM`, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/**
 * Reads a Dockerfile into stages and instructions: enough of the syntax for the images in this
 * repository (comments, parser directives, `\` continuations, global `ARG`s in `FROM`).
 *
 * @see https://docs.docker.com/reference/dockerfile/
 */
export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (pending === '' && /^\s*(#.*)?$/.test(line)) return;
    // Comment lines inside a continued instruction are dropped, as Docker does.
    if (pending !== '' && /^\s*#/.test(line)) return;
    if (pending === '') startLine = index + 1;
    if (/\\\s*$/.test(line)) {
      pending += `${line.replace(/\\\s*$/, '')} `;
      return;
    }
    const full = `${pending}${line}`.trim();
    pending = '';
    const match = /^(\S+)\s*([\s\S]*)$/.exec(full);
    if (match) {
      instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!, line: startLine });
    }
  });

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!match) throw new Error(`line ${instruction.line}: cannot read FROM ${instruction.args}`);
      const from = match[1]!.replace(
        /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
        (_all, name: string) => globalArgs[name] ?? '',
      );
      stages.push({ name: match[2] ?? String(stages.length), from, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') {
        throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
      }
      const [name, value = ''] = instruction.args.split('=');
      globalArgs[name!.trim()] = value.trim();
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** The exec form (`["node", "x.js"]`) of CMD, ENTRYPOINT, RUN or HEALTHCHECK CMD. */
export function execForm(args: string): string[] | undefined {
  const trimmed = args.trim();
  if (!trimmed.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(trimmed);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
    throw new Error(`not an exec form: ${args}`);
  }
  return parsed as string[];
}

/** `ENV A=1 B="two words"` (and the legacy `ENV A 1`) as key/value pairs. */
export function envPairs(args: string): [string, string][] {
  const legacy = /^([A-Za-z_][A-Za-z0-9_]*)\s+([^=]*)$/.exec(args.trim());
  if (legacy) return [[legacy[1]!, legacy[2]!.trim()]];
  const pairs: [string, string][] = [];
  for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const raw = match[2]!;
    pairs.push([
      match[1]!,
      raw.startsWith('"') ? (JSON.parse(raw) as string) : raw.replace(/\\(.)/g, '$1'),
    ]);
  }
  return pairs;
}

/** Flags such as `--from=build` or `--interval=10s` at the start of an instruction's arguments. */
export function splitFlags(args: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = args.trim();
  for (;;) {
    const match = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(rest);
    if (!match) break;
    flags[match[1]!] = match[2] ?? 'true';
    rest = rest.slice(match[0].length);
  }
  return { flags, rest };
}
