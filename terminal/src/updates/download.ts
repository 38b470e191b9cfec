// Downloading a bundle the gateway offered, resuming where a cut connection
// stopped (issue 13 section 3): the bytes go to a `.part` file under
// staging/ named by the bundle's sha256, so a resume only ever continues the
// same bundle; the next request asks for the rest with `Range` and `If-Range`
// (the ETag of the first answer), and a server that answers 200 instead
// (the file changed) starts the file over. Nothing past the offered size is
// written (TUF "endless data attacks"); the whole file's sha256 must be the
// offered one before the bundle itself is checked (stage.ts).
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from 'pino';
import { z } from 'zod';
import { readJsonFile, writeJsonAtomic } from './json-file.js';

/** Attempts per offer before the agent reports `download-failed` (the next offer resumes the same file). */
export const DOWNLOAD_ATTEMPTS_LIMIT = 5;
/** A connection silent this long is dropped and the download resumed. */
export const DOWNLOAD_IDLE_TIMEOUT_MS = 30_000;
/** Back-off between attempts: doubles from the first to the last. */
export const DOWNLOAD_RETRY_FIRST_MS = 1_000;
export const DOWNLOAD_RETRY_LAST_MS = 30_000;

export interface DownloadRequest {
  url: string;
  /** The offer's token; read at each attempt, since a reconnection brings a fresh one. */
  token: () => string;
  /** Where the bytes go (`<sha256>.part`); `<path>.json` keeps the ETag between attempts and restarts. */
  partPath: string;
  expectedSize: number;
  expectedSha256: string;
  logger: Logger;
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
  retryFirstMs?: number;
}

export type DownloadResult = { ok: true; path: string; resumedFromBytes: number } | { ok: false; detail: string; permanent: boolean };

const partMetaSchema = z.strictObject({ etag: z.string().max(200) });

type Attempt = { done: true } | { done: false; detail: string; permanent: boolean };

function haveBytes(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

export function fileSha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (c) => hash.update(c as Buffer))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

function get(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<IncomingMessage> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'GET', headers, ...(signal ? { signal } : {}) }, resolve);
    req.setTimeout(DOWNLOAD_IDLE_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${DOWNLOAD_IDLE_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Writes the body to the part file from `offset`, never past `limit`; resolves when the body ended. */
function receive(res: IncomingMessage, path: string, offset: number, limit: number, onProgress?: (bytes: number) => void): Promise<Attempt> {
  return new Promise((resolve) => {
    const fd = openSync(path, offset === 0 ? 'w' : 'a', 0o600);
    let written = offset;
    const finish = (attempt: Attempt): void => {
      closeSync(fd);
      resolve(attempt);
    };
    res.setTimeout(DOWNLOAD_IDLE_TIMEOUT_MS, () => res.destroy(new Error('the download stalled')));
    res.on('data', (chunk: Buffer) => {
      if (written + chunk.length > limit) {
        res.destroy();
        return finish({ done: false, detail: `the server sent more than the offered ${limit} bytes`, permanent: true });
      }
      let at = 0;
      while (at < chunk.length) at += writeSync(fd, chunk, at);
      written += chunk.length;
      onProgress?.(written);
    });
    res.on('end', () => finish(written === limit ? { done: true } : { done: false, detail: `the connection ended at ${written} of ${limit} bytes`, permanent: false }));
    res.on('error', (error) => finish({ done: false, detail: `the connection broke at ${written} of ${limit} bytes: ${error.message}`, permanent: false }));
  });
}

async function attempt(r: DownloadRequest): Promise<Attempt> {
  let have = haveBytes(r.partPath);
  const metaPath = `${r.partPath}.json`;
  const meta = have > 0 ? readJsonFile(metaPath, partMetaSchema) : undefined;
  if (have >= r.expectedSize || (have > 0 && !meta)) have = 0;
  const headers: Record<string, string> = { authorization: `Bearer ${r.token()}` };
  if (have > 0 && meta) Object.assign(headers, { range: `bytes=${have}-`, 'if-range': meta.etag });
  const res = await get(r.url, headers, r.signal);
  if (res.statusCode === 404 || res.statusCode === 401 || res.statusCode === 403) {
    res.resume();
    return { done: false, detail: `the server refused the download (HTTP ${res.statusCode}): the offer was withdrawn or replaced`, permanent: true };
  }
  const contentRange = /^bytes (\d+)-\d+\/(\d+)$/.exec(String(res.headers['content-range'] ?? ''));
  const resumes = res.statusCode === 206 && contentRange !== null && Number(contentRange[1]) === have && have > 0;
  if (res.statusCode !== 200 && !resumes) {
    res.resume();
    return { done: false, detail: `unexpected answer HTTP ${res.statusCode}`, permanent: false };
  }
  const etag = res.headers.etag;
  if (!resumes && etag) writeJsonAtomic(metaPath, { etag }, 0o600);
  if (resumes) r.logger.info({ event: 'update.download_resumed', fromBytes: have });
  return receive(res, r.partPath, resumes ? have : 0, r.expectedSize, r.onProgress);
}

/**
 * Downloads the offered bundle, resuming across cut connections and restarts,
 * at most DOWNLOAD_ATTEMPTS_LIMIT attempts. A download whose bytes do not have
 * the offered sha256 is deleted and started over once.
 */
export async function downloadBundle(r: DownloadRequest): Promise<DownloadResult> {
  const resumedFromBytes = haveBytes(r.partPath);
  if (resumedFromBytes === r.expectedSize && (await fileSha256(r.partPath)) === r.expectedSha256) return { ok: true, path: r.partPath, resumedFromBytes };
  let delayMs = r.retryFirstMs ?? DOWNLOAD_RETRY_FIRST_MS;
  let last = 'no attempt made';
  for (let i = 1; i <= DOWNLOAD_ATTEMPTS_LIMIT; i++) {
    if (r.signal?.aborted) return { ok: false, detail: 'the download was stopped', permanent: true };
    let result: Attempt;
    try {
      result = await attempt(r);
    } catch (error) {
      result = { done: false, detail: (error as Error).message, permanent: false };
    }
    if (result.done) {
      if ((await fileSha256(r.partPath)) === r.expectedSha256) return { ok: true, path: r.partPath, resumedFromBytes };
      result = { done: false, detail: 'the downloaded file does not have the offered sha256; starting over', permanent: false };
      rmSync(r.partPath, { force: true });
    }
    last = result.detail;
    r.logger.warn({ event: 'update.download_attempt_failed', attempt: i, detail: result.detail });
    if (result.permanent) {
      if (/more than the offered/.test(result.detail)) rmSync(r.partPath, { force: true });
      return { ok: false, detail: result.detail, permanent: true };
    }
    if (i < DOWNLOAD_ATTEMPTS_LIMIT) await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, DOWNLOAD_RETRY_LAST_MS);
  }
  return { ok: false, detail: `gave up after ${DOWNLOAD_ATTEMPTS_LIMIT} attempts: ${last}`, permanent: false };
}
