// ESLint flat config: the recommended rules of ESLint and typescript-eslint for every TypeScript and
// JavaScript file, plus React's hook rules where React code lives. Kept to the standard sets on
// purpose, so new code meets rules every TypeScript developer already knows.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/', '.next/', '.pubdev/', '.venv/', 'agents/.venv/', '**/dist/', '**/build/', 'coverage/', 'next-env.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      // `_`-prefixed names mark a parameter or binding kept on purpose (a callback's position).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Edge functions and the worker bootstrap run in Deno, with its globals; the project's tsc
    // checks Node code only, so Deno files opt out of it with @ts-nocheck.
    files: ['supabase/functions/**', 'tests/local-stack/fixtures/functions/**', 'local-stack/functions/deno-bootstrap.js'],
    languageOptions: { globals: { ...globals.browser, Deno: 'readonly' } },
    rules: { '@typescript-eslint/ban-ts-comment': 'off' },
  },
  {
    files: ['src/react/**/*.{ts,tsx}', 'src/app/**/*.{ts,tsx}', 'src/components/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
);
