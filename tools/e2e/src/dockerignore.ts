interface Rule {
  negate: boolean;
  regex: RegExp;
}

function toRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i]!;
    if (char === '*' && pattern[i + 1] === '*') {
      // `**/` matches zero or more directories; a trailing `**` matches everything below.
      if (pattern[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  // A pattern that names a directory excludes everything inside it too.
  return new RegExp(`^${source}(?:/.*)?$`);
}

/**
 * A `.dockerignore` as Docker reads it: patterns relative to the context root (no implicit `**`),
 * `*` within one path segment, `**` across segments, `!` re-includes, the last matching line wins.
 *
 * @see https://docs.docker.com/build/concepts/context/#dockerignore-files
 * @returns whether a context-relative path (`/`-separated) is left out of the build context.
 */
export function dockerignoreMatcher(text: string): (relativePath: string) => boolean {
  const rules: Rule[] = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      const pattern = (negate ? line.slice(1) : line)
        .trim()
        .replace(/^\/+/, '')
        .replace(/\/+$/, '');
      return { negate, regex: toRegex(pattern) };
    });
  return (relativePath) => {
    let excluded = false;
    for (const rule of rules) {
      if (rule.regex.test(relativePath)) excluded = !rule.negate;
    }
    return excluded;
  };
}
