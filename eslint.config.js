// ESLint flat config: the recommended rules of ESLint and typescript-eslint for every TypeScript and
// JavaScript file, React's hook rules where React code lives, and the import boundaries of
// docs/architecture.md (eslint/boundaries.js). Formatting is Prettier's job (eslint-config-prettier
// turns off the rules that would disagree with it).
import js from '@eslint/js';
import prettierConfig from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { BOUNDARY_ZONES } from './eslint/boundaries.js';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.next/',
      '.pubdev/',
      '.venv/',
      'agents/.venv/',
      '**/dist/',
      '**/build/',
      'coverage/',
      'next-env.d.ts',
    ],
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
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Edge functions and the worker bootstrap run in Deno, with its globals; the project's tsc
    // checks Node code only, so Deno files opt out of it with @ts-nocheck.
    files: [
      'supabase/functions/**',
      'tests/local-stack/fixtures/functions/**',
      'local-stack/functions/deno-bootstrap.js',
    ],
    languageOptions: { globals: { ...globals.browser, Deno: 'readonly' } },
    rules: { '@typescript-eslint/ban-ts-comment': 'off' },
  },
  {
    files: ['src/react/**/*.{ts,tsx}', 'src/app/**/*.{ts,tsx}', 'src/components/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // The layering of docs/architecture.md: a wrong import fails lint naming the rule and the reason.
    files: ['src/**', 'local-stack/**', 'supabase/**'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': importX.flatConfigs.typescript.settings['import-x/extensions'],
      'import-x/parsers': importX.flatConfigs.typescript.settings['import-x/parsers'],
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['tsconfig.json', 'tsconfig.next.json'],
          alwaysTryTypes: true,
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: BOUNDARY_ZONES }],
      // A module circle makes load order matter and hides which module owns a type.
      'import-x/no-cycle': 'error',
    },
  },
  prettierConfig,
);
