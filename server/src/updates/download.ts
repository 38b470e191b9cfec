// GET /updates/v1/bundles/:version with `Authorization: Bearer <token>` from
// the terminal's offer: the bundle file, with HTTP Range (a download cut off
// resumes where it stopped) and an ETag (a resume never mixes two files: the
// terminal sends If-Range). Outside /api/v1: the terminals use it, not the
// office, and it answers bytes, not JSON, except for refusals.
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { Rollouts } from './rollouts.js';

const VERSION_PATTERN = /^\d{1,6}\.\d{1,6}\.\d{1,6}$/;
const TOKEN_PATTERN = /^Bearer ([0-9a-f]{64})$/;

export function bundleDownloadRouter(rollouts: Rollouts, logger: Logger): Router {
  const router = express.Router();
  router.get('/updates/v1/bundles/:version', (req, res) => {
    const version = req.params.version;
    const token = TOKEN_PATTERN.exec(req.get('authorization') ?? '')?.[1];
    const path = token && VERSION_PATTERN.test(version) ? rollouts.bundleForToken(version, token) : undefined;
    if (!path) {
      logger.warn({ event: 'update.download_refused', version: String(version).slice(0, 20), address: req.ip });
      res.status(404).json({ error: { code: 'not-found', message: 'no bundle for this token (the offer was withdrawn, or the token is not the latest)' } });
      return;
    }
    res.sendFile(path, { acceptRanges: true, dotfiles: 'allow', etag: true, lastModified: true, cacheControl: false, headers: { 'Content-Type': 'application/octet-stream' } }, (error) => {
      if (error && !res.headersSent) res.status(500).end();
    });
  });
  return router;
}
