/**
 * The READMEs are a test: every shell block marked `<!-- runnable: id -->` is run, in order, in one
 * bash session (`set -euo pipefail`) against the three apps started from their builds, and both
 * languages must show the same commands. A command that stops working fails CI.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anchorLinks,
  codeBlocks,
  headingAnchors,
  commandsOf,
  headings,
  relativeLinks,
  runnableBlocks,
  shellBlocks,
} from '../../src/docs-blocks.js';
import { startDemoStack, type DemoStack } from 'demo-stack';
import { docsVariables, runBlocks, type SessionResult } from '../../src/docs-run.js';
import { readRepoFile, repoRoot } from '../../src/workspace.js';

const README = { en: 'README.md', ja: 'README.ja.md' } as const;
const english = readRepoFile(README.en);
const japanese = readRepoFile(README.ja);
const blocks = runnableBlocks(english);
/** What runs against `npm start`'s processes: every block but those that need the compose stack. */
const processBlocks = blocks.filter((block) => block.runnable.stack !== 'docker');

describe('README.md and README.ja.md', () => {
  it('link to each other before anything else', () => {
    const top = (text: string) => text.split('\n').slice(0, 8).join('\n');
    expect(top(english)).toContain('](README.ja.md)');
    expect(top(japanese)).toContain('](README.md)');
  });

  it('have the same sections in the same order', () => {
    expect(headings(japanese).length).toBe(headings(english).length);
    expect(headings(japanese, 3).length).toBe(headings(english, 3).length);
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

  it('draw the same diagrams (a mermaid sequence diagram of the three services)', () => {
    const mermaid = (text: string) => codeBlocks(text).filter((block) => block.lang === 'mermaid');
    expect(mermaid(english).length).toBeGreaterThan(0);
    expect(mermaid(english)[0]!.code).toMatch(/^sequenceDiagram/);
    expect(mermaid(japanese).length).toBe(mermaid(english).length);
  });

  it('give the two commands that run the demo and pass every check', () => {
    for (const text of [english, japanese]) {
      expect(text).toContain('npm install && npm start');
      expect(text).toContain('npm install && npm test');
    }
  });

  it('link only to files that exist in the repository', () => {
    for (const text of [english, japanese]) {
      const missing = relativeLinks(text).filter((target) => !existsSync(join(repoRoot, target)));
      expect(missing).toEqual([]);
    }
  });

  it('link only to headings that exist in the same file', () => {
    for (const text of [english, japanese]) {
      const anchors = headingAnchors(text);
      expect(anchorLinks(text).filter((anchor) => !anchors.has(anchor))).toEqual([]);
    }
  });

  it('have runnable blocks, each with a unique id, all written in sh', () => {
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
      (block) => [`${block.runnable.id} (README.md line ${block.line})`, block] as const,
    ),
  )('block %s exits 0 and prints what the README says', (_name, block) => {
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
