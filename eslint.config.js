// Lint, including the layer rules: only the shell imports electron, only the db layer imports
// better-sqlite3, and the renderer reaches main/ only through the shared contract (@contract).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const restrict = (...paths) => ['error', { paths, patterns: [] }];
const noElectron = { name: 'electron', message: 'Only main/shell/ and preload/ may import electron.' };
const noSqlite = { name: 'better-sqlite3', message: 'SQL lives in main/db/; use the Store.' };

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', '.native/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        AbortSignal: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': restrict(noElectron, noSqlite),
    },
  },
  {
    files: ['main/shell/**', 'preload/**', 'test/e2e/electron.test.ts'],
    rules: { 'no-restricted-imports': restrict(noSqlite) },
  },
  {
    files: ['main/db/**', 'test/**', 'scripts/**'],
    rules: { 'no-restricted-imports': restrict(noElectron) },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron, noSqlite],
          patterns: [
            {
              group: ['**/main/**', '!@contract/*'],
              message: 'The renderer imports only @contract from main/.',
            },
          ],
        },
      ],
    },
  },
);
