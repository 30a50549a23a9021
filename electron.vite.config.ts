import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { routes } from './main/contract/routes';

const contract = { '@contract': resolve(__dirname, 'main/contract') };

/**
 * The renderer's '@contract/routes' is each route's method and path, read from the real table when the build
 * starts: that is all its API client reads, and it keeps zod and the schemas out of the code the inbox waits
 * for. The renderer's types still come from main/contract/routes.ts.
 */
function routeTableOnly(): Plugin {
  const id = '\0contract-route-table';
  const real = resolve(__dirname, 'main/contract/routes');
  const table = Object.fromEntries(
    Object.entries(routes).map(([name, r]) => [name, { method: r.method, path: r.path }]),
  );
  return {
    name: 'contract-route-table',
    enforce: 'pre',
    // '@contract/routes' arrives here already aliased to the file's path.
    resolveId: (source) => (source.replace(/\.ts$/, '') === real ? id : null),
    load: (source) => (source === id ? `export const routes = ${JSON.stringify(table)};` : null),
  };
}

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'main/shell/index.ts'),
          // The sync writer's thread (main/db/syncWriter.ts) loads this file from the app's own folder.
          syncWriterThread: resolve(__dirname, 'main/db/syncWriterThread.ts'),
        },
        // Shared code stays next to both entries, so each module's import.meta.url is that folder.
        output: { chunkFileNames: '[name]-[hash].js' },
      },
      // better-sqlite3 is native; electron is provided at run time.
      externalizeDeps: true,
    },
  },
  preload: {
    build: {
      // A sandboxed preload must be a single CommonJS file.
      rollupOptions: {
        input: { index: resolve(__dirname, 'preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    resolve: { alias: contract },
    plugins: [routeTableOnly(), react()],
    build: {
      minify: true,
      rollupOptions: {
        input: resolve(__dirname, 'renderer/index.html'),
        // The contract and domain modules only define things: one the renderer takes nothing from is left out
        // (so taking PROVIDER_NAMES through @contract/schemas does not bring zod and every schema along).
        treeshake: { moduleSideEffects: (id) => !/\/main\/(contract|domain)\//.test(id) },
      },
    },
  },
});
