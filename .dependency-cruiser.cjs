/** Boundary rules of the hexagon (STYLE.md 1, 8). No exceptions: a rule with a hole is no rule. */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-only-core',
      comment: 'core/ is the domain: it may import core/ and nothing else (no node_modules, no node builtins).',
      severity: 'error',
      from: { path: '^core/', pathNot: '[.]test[.]ts$' },
      to: { pathNot: '^core/' },
    },
    {
      name: 'core-tests-import-core-and-vitest',
      comment: 'Tests beside core code test it in isolation: core/ and the test runner, nothing else.',
      severity: 'error',
      from: { path: '^core/.+[.]test[.]ts$' },
      to: { pathNot: '^(core/|test-support/core/|node_modules/(vitest|@vitest)/)' },
    },
    {
      name: 'core-test-support-imports-only-core',
      comment: 'test-support/core/ holds builders and doubles for core tests, so it keeps their isolation: core/ and vitest.',
      severity: 'error',
      from: { path: '^test-support/core/' },
      to: { pathNot: '^(core/|test-support/core/|node_modules/(vitest|@vitest)/)' },
    },
    {
      name: 'production-does-not-import-test-code',
      comment:
        'What ships (core/, adapters/, composition/) never imports test beds, fixtures, suites, benches or tests: ' +
        'they would be compiled into dist/ (docs/adr/0037).',
      severity: 'error',
      from: { path: '^(core|adapters|composition)/', pathNot: '[.]test[.]ts$' },
      to: { path: ['^(test-support|contract-tests|bench)/', '[.]test[.]ts$'] },
    },
    {
      name: 'test-support-does-not-import-tests',
      comment: 'Helpers are shared by tests; importing a test file would run its suite again wherever the helper is used.',
      severity: 'error',
      from: { path: '^test-support/' },
      to: { path: '[.]test[.]ts$' },
    },
    {
      name: 'container-only-in-composition',
      comment: 'inversify is known only to the composition roots.',
      severity: 'error',
      from: { pathNot: '^composition/' },
      to: { path: 'node_modules/(inversify|@inversifyjs)/' },
    },
    {
      name: 'adapters-do-not-import-composition',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^composition/' },
    },
    {
      name: 'generated-proto-stays-in-adapters',
      comment: 'Generated types stop at the gRPC adapter (STYLE.md 7).',
      severity: 'error',
      from: { pathNot: '^(adapters/grpc/|contract-tests/|test-support/|composition/|bench/)' },
      to: { path: '^adapters/grpc/generated/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules', '^adapters/grpc/generated/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    exclude: { path: '^dist/' },
  },
};
