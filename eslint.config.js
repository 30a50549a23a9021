// Lint, including the layer rules: only the shell imports electron, only the db layer imports
// better-sqlite3, and the renderer reaches main/ only through the shared contract (@contract).
// Plus the Electron security rules of the shell and the preload (test/unit/lint-rules.test.ts proves
// each one fires on a violating snippet).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const restrict = (...paths) => [
  'error',
  { paths, patterns: paths.includes(noElectron) ? [electronSubpaths] : [] },
];
const syntax = (...groups) => ['error', ...groups.flat()];
const noElectron = { name: 'electron', message: 'Only main/shell/ and preload/ may import electron.' };
const electronSubpaths = { group: ['electron/*'], message: noElectron.message };
const noSqlite = { name: 'better-sqlite3', message: 'SQL lives in main/db/; use the Store.' };
const noShell = {
  name: 'electron',
  importNames: ['shell'],
  message:
    'Only main/shell/security.ts opens URLs outside the app (openInBrowser lets only http(s) through).',
};
const noIpcMain = {
  name: 'electron',
  importNames: ['ipcMain'],
  message: 'Only main/shell/ipc.ts listens to the renderer (every handler checks trusted(event)).',
};

const isElectron = '/^electron(\\u002F|$)/';
/** require('electron') and import('electron') where only the shell and the preload may import it. */
const ELECTRON_AT_RUN_TIME = [
  `CallExpression[callee.name='require'][arguments.0.value=${isElectron}]`,
  `ImportExpression[source.value=${isElectron}]`,
].map((selector) => ({ selector, message: noElectron.message }));

/** In the shell and the preload: electron by name, statically, so that the rules below see what is used. */
const ELECTRON_BY_NAME = [
  `CallExpression[callee.name='require'][arguments.0.value=${isElectron}]`,
  `ImportExpression[source.value=${isElectron}]`,
  `ImportDeclaration[source.value=${isElectron}] > :matches(ImportNamespaceSpecifier, ImportDefaultSpecifier)`,
].map((selector) => ({
  selector,
  message:
    "Import electron's members by name (import { app } from 'electron') so the security lint rules see them.",
}));

const property = (names) => `:matches(Property[key.name=/^(${names})$/], Property[key.value=/^(${names})$/])`;
/** Web preferences are literals with their safe value; a few options are never set at all. */
const WEB_PREFERENCES = [
  {
    selector: `${property('contextIsolation|sandbox|webSecurity')}:not([value.type='Literal'][value.value=true])`,
    message: 'contextIsolation, sandbox and webSecurity are always the literal true.',
  },
  {
    selector: `${property('nodeIntegration\\w*|allowRunningInsecureContent|experimentalFeatures|webviewTag')}:not([value.type='Literal'][value.value=false])`,
    message:
      'nodeIntegration*, allowRunningInsecureContent, experimentalFeatures and webviewTag are always the literal false.',
  },
  {
    selector: property('enableRemoteModule|additionalArguments'),
    message:
      'No remote module, and no additionalArguments: they put data (the token) on the renderer command line.',
  },
];

const WINDOW_CLASSES = 'BrowserWindow|BrowserView|WebContentsView';
/** Every window comes from createMainWindow in main/shell/window.ts, which sets the web preferences. */
const ONE_WINDOW_FACTORY = [
  {
    selector: `NewExpression:matches([callee.name=/^(${WINDOW_CLASSES})$/], [callee.property.name=/^(${WINDOW_CLASSES})$/])`,
    message:
      'Create windows only in main/shell/window.ts (createMainWindow sets the locked-down web preferences).',
  },
];

const NO_IPC_HANDLE = [
  {
    selector: "MemberExpression[object.name='ipcMain'][property.name=/^handle/]",
    message: 'The bridge answers through ipcMain.on, where every handler checks trusted(event).',
  },
];

const PRELOAD = [
  {
    selector: "MemberExpression[object.name='process'][property.name='argv']",
    message: 'The preload reads nothing from the command line: the config comes over IPC.',
  },
];

/** The renderer imports preload/bridge.ts for its types: no runtime import may come with it. */
const TYPE_IMPORTS_ONLY = [
  {
    selector: "ImportDeclaration[importKind!='type']",
    message: 'preload/bridge.ts is imported by the renderer: use `import type` only.',
  },
];

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
      'no-restricted-syntax': syntax(ELECTRON_AT_RUN_TIME),
    },
  },
  {
    // The app logs through main/log.ts (a file support can ask for); only command-line tools print for a person.
    files: ['main/**'],
    ignores: ['main/cli/**'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['main/shell/**'],
    rules: {
      'no-restricted-imports': restrict(noSqlite, noShell, noIpcMain),
      'no-restricted-syntax': syntax(ELECTRON_BY_NAME, WEB_PREFERENCES, ONE_WINDOW_FACTORY, NO_IPC_HANDLE),
    },
  },
  { files: ['main/shell/security.ts'], rules: { 'no-restricted-imports': restrict(noSqlite, noIpcMain) } },
  { files: ['main/shell/ipc.ts'], rules: { 'no-restricted-imports': restrict(noSqlite, noShell) } },
  {
    files: ['main/shell/window.ts'],
    rules: { 'no-restricted-syntax': syntax(ELECTRON_BY_NAME, WEB_PREFERENCES, NO_IPC_HANDLE) },
  },
  {
    files: ['preload/**'],
    rules: {
      'no-restricted-imports': restrict(noSqlite),
      'no-restricted-syntax': syntax(ELECTRON_BY_NAME, WEB_PREFERENCES, PRELOAD),
    },
  },
  {
    files: ['preload/bridge.ts'],
    rules: { 'no-restricted-syntax': syntax(ELECTRON_BY_NAME, WEB_PREFERENCES, PRELOAD, TYPE_IMPORTS_ONLY) },
  },
  {
    files: ['main/db/**', 'test/**', 'scripts/**'],
    rules: { 'no-restricted-imports': restrict(noElectron) },
  },
  {
    files: ['test/e2e/electron.test.ts'],
    rules: { 'no-restricted-imports': restrict(noSqlite), 'no-restricted-syntax': 'off' },
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
            electronSubpaths,
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
