// Lint, with the layer rules and the Electron security rules (test/unit/lint-rules.test.ts proves each
// one fires on a violating snippet, and not on the code as it is). The layers, bottom up:
//   main/domain     entities, domain errors, shapes every layer shares; imports nothing else from main/
//   main/contract   the API contract and pure modules the renderer shares; imports only main/domain
//   main/db         SQLite storage (the only user of better-sqlite3); never main/providers or main/api
//   main/providers  the connectors
//   services        channels, flows, broadcasts, notifications, customers, sync, outbox; never main/api,
//                   and sync and outbox reach storage through main/domain/storage.ts, never main/db
//   main/api        the local HTTP API: maps DomainErrors to status codes
//   main/shell      the desktop shell: with preload/, the only importer of electron
//   renderer/       reaches main/ only through @contract/...
//   hub/            the team hub: reuses connectors, contract, domain, sync and outbox; never the desktop
//                   shell, electron or main/db (it has its own PostgreSQL storage)
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

/** no-restricted-imports of packages ({ name }) and of import paths ({ regex }); electron brings its subpaths. */
const restrict = (...rules) => [
  'error',
  {
    paths: rules.filter((rule) => rule.name),
    patterns: rules.flatMap((rule) => (rule === noElectron ? [electronSubpaths] : rule.regex ? [rule] : [])),
  },
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
const BASE = [noElectron, noSqlite];

/** An import of main/<name> from a file anywhere below main/ (import paths are relative there). */
const folder = (name) => `^(\\.\\./)+${name}(/|$)`;
/** An import that leaves a flat folder of main/ for any folder but `allowed`. */
const outside = (...allowed) => `^(\\.\\./)+(?!(${allowed.join('|')})(/|$))`;

const noApi = {
  regex: folder('api'),
  message:
    'Only main/api/ speaks HTTP: below it, throw a DomainError (main/domain/errors.ts) and let the API map it to a status.',
};
const noProviders = {
  regex: folder('providers'),
  message: 'main/db/ never imports main/providers/: a shape both use belongs in main/domain/ (remote.ts).',
};
const noDb = {
  regex: folder('db'),
  message:
    'main/sync/ and main/outbox/ reach storage through the interface in main/domain/storage.ts, never main/db/.',
};
const domainOnly = {
  regex: outside('domain'),
  message:
    'main/domain/ is the bottom layer: it imports nothing else from main/ (move what it needs into it).',
};
const contractAndDomainOnly = {
  regex: outside('contract', 'domain'),
  message:
    'The renderer bundles main/contract/: it imports only main/contract/ and main/domain/ (pure modules).',
};
const contractOnly = {
  regex: '^(\\.\\./)+main(/|$)',
  message:
    'The renderer reaches main/ only through @contract/... (pure modules both sides use live in main/contract/).',
};
const noDesktop = {
  regex: '^(\\.\\./)+main/(shell|db)(/|$)',
  message:
    'The hub never imports the desktop shell (main/shell/) or SQLite storage (main/db/): it has its own PostgreSQL storage.',
};
const SERVICES = ['channels', 'flows', 'broadcasts', 'notifications', 'customers'].map((s) => `main/${s}/**`);

/** The layer rules: the files, then what they may not import. */
const LAYERS = [
  [['main/domain/**'], ...BASE, domainOnly],
  [['main/contract/**'], ...BASE, contractAndDomainOnly],
  [['main/db/**'], noElectron, noApi, noProviders],
  [SERVICES, ...BASE, noApi],
  [['main/sync/**', 'main/outbox/**'], ...BASE, noApi, noDb],
  [['renderer/**'], ...BASE, contractOnly],
  [['hub/**'], ...BASE, noDesktop],
];

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
      'no-restricted-imports': restrict(...BASE),
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
  ...LAYERS.map(([files, ...rules]) => ({ files, rules: { 'no-restricted-imports': restrict(...rules) } })),
  { files: ['test/**', 'scripts/**'], rules: { 'no-restricted-imports': restrict(noElectron) } },
  {
    files: ['test/e2e/electron.test.ts'],
    rules: { 'no-restricted-imports': restrict(noSqlite), 'no-restricted-syntax': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
);
