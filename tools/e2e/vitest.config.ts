import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Every suite here mostly waits on the processes it starts, each on its own free ports and
    // temporary directories. Vitest's default on 2 cores is a single worker (cores - 1); two
    // overlap the waits.
    maxWorkers: 2,
    // Needs a Docker engine: the docker tier runs it (`npm run test:docker`, vitest.docker.config.ts).
    exclude: [...configDefaults.exclude, 'test/docker/compose-stack.test.ts'],
  },
});
