import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * Vite's root is web/ (`vite build web`); the build goes to web/dist, which the platform serves at `/`.
 * `npx vite web` serves the portal with hot reload and sends /api to a running platform: CHAIN2_API
 * (default http://127.0.0.1:8080).
 */
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 700 },
  server: {
    proxy: { '/api': { target: process.env.CHAIN2_API ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
