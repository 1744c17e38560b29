/**
 * `npm run rotate-keys`: a new signing key signs from now on. The key it replaces stays in the
 * JWKS until every token it signed has expired (the longest API token lifetime, plus a minute),
 * then a later rotation (or the server's own view of the file) drops it. A running server picks
 * the new key up at its next request: no restart.
 */
import { loadConfig } from '@repo/config';
import { configShape, keySource } from './config.js';
import {
  isExpiredKey,
  readKeyFile,
  RETIREMENT_LEEWAY_SECONDS,
  rotateKeys,
  writeKeyFile,
} from './keys/key-file.js';
import { maxTokenLifetimeSeconds, registry } from './registry.js';

const out = (line: string) => process.stdout.write(`${line}\n`);

try {
  const config = loadConfig(configShape, { service: 'rotate-keys' });
  const source = keySource(config);
  const maxLifetime = maxTokenLifetimeSeconds(registry.apis);
  const current = await readKeyFile(source.path);
  if (!current && !source.create) {
    throw new Error(`${source.variable}=${source.path} does not exist`);
  }
  const now = Math.floor(Date.now() / 1000);
  const result = await rotateKeys(current, maxLifetime, now);
  await writeKeyFile(source.path, result.file);

  out(`Signing keys rotated in ${source.path}`);
  out(`  new key, signs from now on: ${result.newKid}`);
  const until = new Date((now + maxLifetime + RETIREMENT_LEEWAY_SECONDS) * 1000).toISOString();
  for (const kid of result.retiredKids) out(`  retired, still published until ${until}: ${kid}`);
  for (const key of result.file.keys) {
    if (key.retired_at !== undefined && !result.retiredKids.includes(key.kid)) {
      const at = new Date((key.retired_at + maxLifetime + RETIREMENT_LEEWAY_SECONDS) * 1000);
      if (!isExpiredKey(key, maxLifetime, now)) {
        out(`  retired earlier, published until ${at.toISOString()}: ${key.kid}`);
      }
    }
  }
  for (const kid of result.prunedKids) out(`  removed (its tokens have expired): ${kid}`);
} catch (error) {
  process.stderr.write(`rotate-keys: ${(error as Error).message}\n`);
  process.exit(1);
}
