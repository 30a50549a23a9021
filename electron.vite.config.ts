import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const contract = { '@contract': resolve(__dirname, 'main/contract') };

export default defineConfig({
  main: {
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'main/shell/index.ts') } },
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
