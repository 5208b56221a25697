// The web console's bundle: src/ui/web -> dist/ui/web (served by src/ui/server.ts). No inline
// script or style (the server's Content-Security-Policy allows neither), nothing remote.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('./src/ui/web/', import.meta.url));

export default {
  root,
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('./dist/ui/web/', import.meta.url)),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
};
