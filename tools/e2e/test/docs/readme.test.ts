/**
 * The documentation is a test: every shell block marked `<!-- runnable: id -->`, in every page
 * (README.md first, then docs/, in the order of DOC_PAGES), is run in order in one bash session
 * (`set -euo pipefail`) against the three apps started from their builds, and both languages of
 * each page must show the same sections and the same commands. A command that stops working
 * fails CI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codeBlocks,
  commandsOf,
  headingAnchors,
  headings,
  localLinks,
  runnableBlocks,
  shellBlocks,
} from '../../src/docs-blocks.js';
import { DOC_PAGES, docsRunnableBlocks, existsInRepo, resolveLink } from '../../src/docs-pages.js';
import { startDemoStack, type DemoStack } from 'demo-stack';
import { docsVariables, runBlocks, type SessionResult } from '../../src/docs-run.js';
import { readRepoFile } from '../../src/workspace.js';

const blocks = docsRunnableBlocks('en');
/** What runs against `npm start`'s processes: every block but those that need the compose stack. */
const processBlocks = blocks.filter((block) => block.runnable.stack !== 'docker');
const allFiles = DOC_PAGES.flatMap((page) => [page.en, page.ja]);

describe.each(DOC_PAGES.map((page) => [page.en, page] as const))(
  '%s and its Japanese',
  (_, page) => {
    const english = readRepoFile(page.en);
    const japanese = readRepoFile(page.ja);

    it('link to each other before anything else', () => {
      const top = (text: string) => text.split('\n').slice(0, 8).join('\n');
      const name = (file: string) => file.split('/').pop()!;
      expect(top(english)).toContain(`](${name(page.ja)})`);
      expect(top(japanese)).toContain(`](${name(page.en)})`);
    });

    it('have the same sections in the same order', () => {
      for (const level of [1, 2, 3]) {
        expect(headings(japanese, level).length).toBe(headings(english, level).length);
      }
    });

    it('mark the same runnable blocks, in the same order, with the same commands', () => {
      const summary = (text: string) =>
        runnableBlocks(text).map((block) => ({
          id: block.runnable.id,
          stack: block.runnable.stack,
          expect: block.runnable.expect,
          commands: commandsOf(block.code),
        }));
      expect(summary(japanese)).toEqual(summary(english));
    });

    it('show the same shell commands everywhere, only the comments translated', () => {
      const commands = (text: string) => shellBlocks(text).map((block) => commandsOf(block.code));
      expect(commands(japanese)).toEqual(commands(english));
    });

    it('draw the same diagrams', () => {
      const mermaid = (text: string) =>
        codeBlocks(text).filter((block) => block.lang === 'mermaid');
      expect(mermaid(japanese).map((block) => block.code.split('\n')[0])).toEqual(
        mermaid(english).map((block) => block.code.split('\n')[0]),
      );
    });
  },
);

describe('the documentation as a whole', () => {
  it('shows the two commands that run the demo and pass every check on the front door', () => {
    for (const file of ['README.md', 'README.ja.md']) {
      const text = readRepoFile(file);
      expect(text).toContain('npm install && npm start');
      expect(text).toContain('npm install && npm test');
    }
  });

  it('draws the sequence diagram of the three services in the workshop', () => {
    const mermaid = codeBlocks(readRepoFile('docs/workshop.md')).filter(
      (block) => block.lang === 'mermaid',
    );
    expect(mermaid[0]?.code).toMatch(/^sequenceDiagram/);
  });

  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of allFiles) {
      for (const target of localLinks(readRepoFile(file))) {
        const link = resolveLink(file, target);
        if (!existsInRepo(link.file)) broken.push(`${file}: ${target} (no file ${link.file})`);
        else if (link.anchor !== undefined && link.file.endsWith('.md')) {
          if (!headingAnchors(readRepoFile(link.file)).has(link.anchor))
            broken.push(`${file}: ${target} (no heading #${link.anchor} in ${link.file})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('links every page from the front door of its language', () => {
    for (const lang of ['en', 'ja'] as const) {
      const front = DOC_PAGES[0]![lang];
      const linked = new Set(
        localLinks(readRepoFile(front)).map((t) => resolveLink(front, t).file),
      );
      const missing = DOC_PAGES.slice(1)
        .map((page) => page[lang])
        .filter((file) => !linked.has(file));
      expect({ front, missing }).toEqual({ front, missing: [] });
    }
  });

  it('has runnable blocks, each with a unique id, all written in sh', () => {
    expect(blocks.length).toBeGreaterThan(5);
    const ids = blocks.map((block) => block.runnable.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const block of blocks)
      expect({ id: block.runnable.id, lang: block.lang }).toEqual({
        id: block.runnable.id,
        lang: 'sh',
      });
  });
});

describe('the walk-through, run against the three apps', () => {
  let stack: DemoStack | undefined;
  let session: SessionResult;

  beforeAll(async () => {
    // Everything as `npm start` runs it, but on free ports, with data in a temporary directory.
    stack = await startDemoStack();
    session = await runBlocks(processBlocks, docsVariables(stack), { timeoutMs: 150_000 });
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  it.each(
    processBlocks.map(
      (block) => [`${block.runnable.id} (${block.page} line ${block.line})`, block] as const,
    ),
  )('block %s exits 0 and prints what the page says', (_name, block) => {
    const result = session.blocks.find((candidate) => candidate.block === block)!;
    const context = `--- block ${block.runnable.id} ---\n${block.code}\n--- output ---\n${result.output}`;
    expect(result.ran, `an earlier block failed:\n${session.transcript}`).toBe(true);
    expect(result.completed, `the block failed (exit ${session.exitCode}):\n${context}`).toBe(true);
    for (const text of block.runnable.expect) {
      expect(result.output, context).toContain(text);
    }
  });

  it('leaves the bash session with exit code 0', () => {
    expect(session.exitCode, session.transcript).toBe(0);
  });
});
