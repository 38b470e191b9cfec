// The office console's files under /admin (issue 14 "What it is": a React
// app served by the server; "Security": security headers, a CSP without
// inline scripts). The console is built to static files (console/, Vite); the
// server only serves them, with:
// - a Content-Security-Policy that allows scripts, styles, fonts and
//   connections from this origin only: no inline script or style, no eval,
//   no frame, no plugin (the console is built to need none of them);
// - headers that keep the pages out of frames (clickjacking), stop MIME
//   sniffing and referrers, and isolate the browsing context;
// - index.html never cached (a new build is seen at once); the hashed assets
//   cached for a year (their names change with their content).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type RequestHandler } from 'express';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** A year: the assets' names carry a hash of their content. */
const ASSET_MAX_AGE_MS = 365 * 86_400_000;

/** Headers on every answer of the server (the API's too): no sniffing, no referrer, no framing. */
export const baseSecurityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  next();
};

/** The console's own headers. */
const consoleHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Content-Security-Policy': CONSOLE_CSP,
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=()',
  });
  next();
};

/** The router mounted at /admin: the built console in `distDir`, or a 503 saying how to build it. */
export function consoleRouter(distDir: string): express.Router {
  const router = express.Router({ strict: true });
  router.use(consoleHeaders);
  router.use((req, res, next) => {
    if (existsSync(join(distDir, 'index.html'))) {
      next();
      return;
    }
    res.status(503).type('text/plain').send('The office console is not built: run "npm run build:console".');
  });
  router.use(
    '/assets',
    express.static(join(distDir, 'assets'), { immutable: true, maxAge: ASSET_MAX_AGE_MS, index: false, fallthrough: false }),
  );
  router.get('/', (req, res, next) => {
    // /admin (no slash) -> /admin/, so the page's relative URLs resolve under it.
    if (!req.originalUrl.split('?')[0]!.endsWith('/')) {
      res.redirect(301, `${req.baseUrl}/`);
      return;
    }
    res.set('Cache-Control', 'no-store');
    res.sendFile(join(distDir, 'index.html'), (error) => {
      if (error) next(error);
    });
  });
  return router;
}
