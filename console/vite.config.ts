import { defineConfig } from 'vite';

// The office console is a static bundle the county server serves under
// /admin (server/src/console-static.ts) with a CSP that allows no inline
// script or style: Vite's production build emits only files (no inline
// module preload), and the app sets no style attribute (only CSSOM, which
// CSP allows). JSX goes through Vite's built-in transform, as for the kiosk UI.
// The charting library (uPlot) is a dynamic import: it is not part of the
// first load (issue 14 "Benchmarks": first-load bundle size).
export default defineConfig({
  root: import.meta.dirname,
  base: '/admin/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 400,
  },
});
