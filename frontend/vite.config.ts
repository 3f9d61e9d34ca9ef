import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

const backend = process.env.COPYHOLD_DEV_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    // dist/.gitkeep is recreated by scripts/keep.mjs after the build.
    emptyOutDir: true,
    sourcemap: false,
    // Keep everything in files: the server's CSP forbids inline scripts and styles.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
      '/healthz': { target: backend },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
  },
});
