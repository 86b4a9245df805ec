import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'adapters/grpc/generated/**', 'data/**', 'test-output/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Named exports only (STYLE.md 9).' }],
    },
  },
  {
    files: ['*.config.js', '*.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // One configuration (docs/adr/0028): the environment is read once, in main, through the settings catalogue.
    files: ['core/**/*.ts', 'adapters/**/*.ts', 'composition/**/*.ts'],
    ignores: [
      '**/*.test.ts',
      'composition/main.ts',
      'composition/mesh-cli.ts',
      'composition/admin-cli.ts',
      'composition/auth/rotate-token-key.ts',
      'composition/container-health.ts',
    ],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read settings through the catalogue (composition/settings/catalogue.ts), in main.',
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
