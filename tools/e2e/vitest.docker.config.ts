import { defineConfig } from 'vitest/config';

/** The docker tier (`npm run test:docker`): one suite whose tests are steps, so the first failure stops it. */
export default defineConfig({
  test: {
    include: ['test/docker/compose-stack.test.ts'],
    fileParallelism: false,
    bail: 1,
  },
});
