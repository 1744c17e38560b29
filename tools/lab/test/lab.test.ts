import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from 'demo-stack';
import { MESSAGES, type Lang } from '../src/messages.js';
import { SCENARIOS } from '../src/scenarios.js';

const NUMBERS = Object.keys(SCENARIOS).map(Number);

const LAB = join(import.meta.dirname, '..', 'dist', 'lab.js');
const ROOT = repoRoot;
const readRoot = (path: string) => readFileSync(join(ROOT, path), 'utf8');

function runLab(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [LAB, ...args],
      {
        // No root .env, and ports the lab cannot find a stack on: it starts its own.
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          ENV_FILE: 'none',
          NO_COLOR: '1',
        },
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('npm run lab', () => {
  it.each<Lang>(['en', 'ja'])(
    'runs every scenario as documented on a stack of its own (--lang %s) and exits 0',
    async (lang) => {
      const { code, stdout, stderr } = await runLab(['--own-stack', '--lang', lang]);
      expect(stderr).toBe('');
      const t = MESSAGES[lang];
      for (const n of NUMBERS) expect(stdout).toContain(`━━ ${n}. ${t.titles[n]} ━━`);
      expect(stdout).toContain(t.summary(NUMBERS.length, 0, 0));
      // 11: the auth-server stores a public key; the replayed assertion is refused.
      expect(stdout).toContain(t.why11);
      expect(stdout).toContain(t.expectation({ status: 401, error: 'invalid_client' }));
      expect(stdout).not.toMatch(/"d":|BEGIN PRIVATE KEY/);
      expect(stdout).toContain(t.cacheExpected(5));
      expect(stdout).toContain(
        t.expectation({
          status: 403,
          error: 'insufficient_scope',
          challenge: { error: 'insufficient_scope', scope: 'directions' },
        }),
      );
      expect(stdout).toContain(t.startingOwn);
      expect(stdout).toContain(t.why4);
      // Scenario 12: the stolen DPoP-bound token, refused without its key and for another URL.
      expect(stdout).toContain(t.why12);
      expect(stdout).toContain(
        t.expectation({
          status: 401,
          error: 'invalid_dpop_proof',
          scheme: 'DPoP',
          challenge: { error: 'invalid_dpop_proof', error_description: 'DPoP Proof htu mismatch' },
        }),
      );
      expect(stdout).toContain(t.ruleAnalogy);
      // Shows requests, never a usable token or a secret.
      expect(stdout).not.toMatch(/eyJ[\w-]{20,}\.[\w-]{20,}\.[\w-]{20,}/);
      expect(stdout).not.toMatch(/dev-secret/);
      // Results are said in words, in the chosen language: no pattern, no English leftovers.
      expect(stdout).not.toMatch(/\.\*|characters|kids:|Signing keys rotated/);
      if (lang === 'ja') {
        const english = stdout
          .split('\n')
          .filter((line) => /\b(the|is|are|with|and|no)\b/.test(line))
          .filter((line) => !/^\s+("|[{}\]]|[\w-]+: |→|←|\S+ https?:)/.test(line));
        expect(english).toEqual([]);
      }
      expect(code).toBe(0);
    },
    120_000,
  );

  it('refuses an unknown scenario number with exit code 2 and the usage', async () => {
    const { code, stderr } = await runLab(['--only', '99']);
    expect(code).toBe(2);
    expect(stderr).toContain(`--only takes scenario numbers (${NUMBERS.join(', ')}), not "99"`);
  });

  it('tells compose users the rotation command that exists in the image, as both Docker pages do', () => {
    // The image runs from its app's folder (WORKDIR /app/apps/${APP_DIR}), so paths start at dist/.
    const dockerfile = readRoot('Dockerfile');
    expect(dockerfile).toMatch(/^WORKDIR \/app\/apps\/\$\{APP_DIR\}$/m);
    const cmd = /^CMD \["node", "(dist)\/index\.js"\]$/m.exec(dockerfile);
    expect(cmd?.[1]).toBe('dist');
    const command = `docker compose exec auth-server node ${cmd?.[1]}/rotate-keys.js`;
    for (const readme of ['docs/docker.md', 'docs/docker.ja.md']) {
      expect({ readme, ok: readRoot(readme).includes(command) }).toEqual({
        readme,
        ok: true,
      });
    }
    for (const lang of ['en', 'ja'] as const) {
      expect(MESSAGES[lang].rotationManual).toContain(`\`${command}\``);
    }
  });
});
