import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start loopback servers and write lake folders; two workers match the 2-core CI machine.
    maxWorkers: 2,
    env: { NODE_OPTIONS: '--openssl-legacy-provider' },
  },
});
