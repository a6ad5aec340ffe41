/**
 * Build of the web application (docs/architecture.md "Web application"): into dist/web, which the
 * server serves (src/plugins/web-app.ts). `html.cspNonce` puts a placeholder nonce on the page's
 * tags; the server replaces it with a fresh one per response, matching its CSP.
 */
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = import.meta.dirname;

export default defineConfig({
  root: webRoot,
  plugins: [react()],
  html: { cspNonce: '__CSP_NONCE__' },
  // `npm run web:dev`: the API of a server started with `npm start` on its default port.
  server: { proxy: { '/api': 'http://127.0.0.1:8000' } },
  build: {
    outDir: path.resolve(webRoot, '../dist/web'),
    emptyOutDir: true,
    // Screens are split per route (React.lazy); the first page loads the shell and one screen.
    chunkSizeWarningLimit: 600,
    sourcemap: false,
  },
});
