/**
 * The documentation as pages: each page in English and in Japanese, in the order a reader takes
 * them. The runnable blocks of every page run in this order, in one session.
 */
import { existsSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { runnableBlocks, type RunnableBlock } from './docs-blocks.js';
import { readRepoFile, repoRoot } from './workspace.js';

export interface DocPage {
  en: string;
  ja: string;
}

const page = (base: string): DocPage => ({ en: `${base}.md`, ja: `${base}.ja.md` });

/** Every page, the front door first. Paths are relative to the repository root. */
export const DOC_PAGES: readonly DocPage[] = [
  page('README'),
  page('docs/workshop'),
  page('docs/glossary'),
  page('docs/docker'),
  page('docs/configuration'),
  page('docs/identity-providers'),
  page('docs/troubleshooting'),
  page('docs/security'),
  page('docs/performance'),
  page('docs/contributing'),
];

/** A runnable block, with the page it comes from. */
export interface PageBlock extends RunnableBlock {
  page: string;
}

/** The runnable blocks of every page of one language, in reading order. */
export function docsRunnableBlocks(lang: keyof DocPage = 'en'): PageBlock[] {
  return DOC_PAGES.flatMap((doc) =>
    runnableBlocks(readRepoFile(doc[lang])).map((block) => ({ ...block, page: doc[lang] })),
  );
}

/** A link of a page resolved against the repository: the file it names and the anchor, if any. */
export function resolveLink(page: string, target: string): { file: string; anchor?: string } {
  const [path = '', anchor] = target.split('#');
  const file = path ? normalize(join(dirname(page), decodeURIComponent(path))) : page;
  return anchor === undefined ? { file } : { file, anchor: decodeURIComponent(anchor) };
}

/** Whether a repository-relative path exists. */
export function existsInRepo(file: string): boolean {
  return existsSync(join(repoRoot, file));
}
