import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const contract = { '@contract': resolve(__dirname, 'main/contract') };

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
    plugins: [react()],
    build: { minify: true, rollupOptions: { input: resolve(__dirname, 'renderer/index.html') } },
  },
});
