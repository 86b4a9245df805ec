import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'core/**/*.test.ts',
      'adapters/**/*.test.ts',
      'composition/**/*.test.ts',
      'contract-tests/**/*.test.ts',
      'test-support/**/*.test.ts',
    ],
    // Containers or local servers for Redis and PostgreSQL (docs/adr/0060).
    globalSetup: ['test-support/global-setup.ts'],
    // The deployment tests run on their own, one file at a time: vitest.deploy.config.ts.
    exclude: ['**/node_modules/**', 'contract-tests/deploy/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Two cores: more workers only make socket-heavy tests contend.
    maxWorkers: 2,
  },
});
