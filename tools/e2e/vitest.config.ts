import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Every suite here mostly waits on the processes it starts (services, npm ci, tsc), and each
    // uses its own free ports and temporary directories. Vitest's default on 2 cores is a single
    // worker (cores - 1), which runs the image rehearsal and the other suites one after the other;
    // two workers overlap them. Measured on 2 cores shared with other jobs: 142-161 s with one
    // worker, 94-157 s with two (the gain shrinks as the machine gets busier).
    maxWorkers: 2,
    // Needs a Docker engine: the docker tier runs it (`npm run test:docker`, vitest.docker.config.ts).
    exclude: [...configDefaults.exclude, 'test/docker/compose-stack.test.ts'],
  },
});
