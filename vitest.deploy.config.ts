import { defineConfig } from 'vitest/config';

/**
 * The deployment tests (docs/deploy.md): the image under podman-compose, the Kubernetes manifests
 * and `podman kube play`, and a mesh across three network namespaces. They start many processes
 * and containers, so they run one file at a time, after the unit and contract tests:
 * `bash scripts/test-deploy.sh` (part of `npm test`) prepares the machine and runs them.
 */
export default defineConfig({
  test: {
    include: ['contract-tests/deploy/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 420_000,
    maxWorkers: 1,
    fileParallelism: false,
  },
});
