import { afterEach } from 'vitest';
import {
  startAuthServer,
  tempDir,
  type RunningAuthServer,
  type StartOptions,
} from './in-process.js';

/**
 * Cleanups of the calling test file, run after each test (last registered first), and the
 * helpers that register them: a data directory, an in-process auth-server.
 */
export function perTest() {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    defer(cleanup: () => unknown): void {
      cleanups.push(cleanup);
    },
    newDataDir(): string {
      const dir = tempDir();
      cleanups.push(dir.remove);
      return dir.path;
    },
    async start(options: StartOptions = {}): Promise<RunningAuthServer> {
      const server = await startAuthServer(options);
      cleanups.push(() => server.close());
      return server;
    },
  };
}
