import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // The CLI, the terminal demo and the benchmarks talk to a person on stdout by design.
    files: ['src/cli/**', 'src/demo/**', 'bench/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
);
