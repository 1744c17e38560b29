/**
 * A child process of the token-limit phase: the raw RS256 signing rate of the auth-server's own
 * signing key on this machine, nothing else. Reads the key file (KEY_FILE, the auth-server's
 * `signing-keys.json`), then for each line `N` on stdin signs N token-sized inputs with
 * `crypto.sign` one after another and prints `{"signs":N,"ms":…,"cpuMicros":…}`.
 */
import { createPrivateKey, sign, type JsonWebKeyInput } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const file = JSON.parse(readFileSync(process.env.KEY_FILE ?? '', 'utf8')) as {
  keys: (JsonWebKeyInput['key'] & { kid: string; retired_at?: number })[];
};
const jwk = file.keys.find((key) => key.retired_at === undefined);
if (!jwk) throw new Error('the key file has no active key');
const key = createPrivateKey({ key: jwk, format: 'jwk' });

// A signing input the size of the auth-server's access tokens (RFC 9068 header and claims).
const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const input = Buffer.from(
  `${encode({ alg: 'RS256', typ: 'at+jwt', kid: jwk.kid })}.${encode({
    jti: 'x0Yk3qS8vB2mN5pR7tU9wZ1cE4gH6jL8nQ0sV2xA4bD',
    sub: 'giftdeliveries',
    iat: now,
    exp: now + 3600,
    scope: 'geocode:location reverse-geocode:location directions',
    client_id: 'giftdeliveries',
    iss: 'http://127.0.0.1:4000/',
    aud: 'urn:worldmappers',
  })}`,
);

for (let i = 0; i < 50; i++) sign('sha256', input, key);
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const signs = Number(line);
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < signs; i++) sign('sha256', input, key);
  const ms = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  process.stdout.write(`${JSON.stringify({ signs, ms, cpuMicros: used.user + used.system })}\n`);
}
