import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The portal may be mounted at / or at /portals/<name>/: relative asset URLs (base './') and hash
// routing keep every page at the mount point, so the same build works under any base path.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  // Preact's automatic JSX runtime, without a framework plugin (Vite 8 transforms with Oxc).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // swagger-ui is one ~1.7 MB bundle, loaded only on an API's page.
    chunkSizeWarningLimit: 2500,
  },
});
