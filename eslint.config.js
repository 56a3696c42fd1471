import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // .millrace/: local state and test output (a bundled job the console test uploads), not source
  { ignores: ['node_modules/', 'bench/flink/', 'bench/results/', 'dist/', '.millrace/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
