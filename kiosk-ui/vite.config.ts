import { defineConfig } from 'vite';

// The kiosk UI is a static bundle the terminal serves on 127.0.0.1; no dev
// server in production. JSX goes through Vite's built-in transform (React's
// automatic runtime), so no React plugin is needed for a production build.
// The spoken prompts are rendered after the bundle (prompts/render-cli.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
});
