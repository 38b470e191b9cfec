// This kiosk's identity: an ed25519 key pair made on the kiosk (the private key
// never leaves it) and enrolled once with the server using a one-time code.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { OWNER_ONLY_FILE, ensureOwnerOnlyDir } from './private-files.js';

const ENROL_TIMEOUT_MS = 15_000;

export interface TerminalIdentity {
  terminalId: string;
  privateKey: KeyObject;
  publicKeySpkiBase64: string;
}

const enrolmentRecordSchema = z.object({ terminalId: z.string(), serverUrl: z.string(), enrolledAt: z.string() });
export type EnrolmentRecord = z.infer<typeof enrolmentRecordSchema>;

/** Loads the key pair from `dataDir`, making one on first use (and the folder, 0700: it holds the journal too). */
export function loadOrCreateIdentity(dataDir: string, terminalId: string): TerminalIdentity {
  ensureOwnerOnlyDir(dataDir);
  const keyPath = join(dataDir, 'terminal-key.pem');
  let privateKey: KeyObject;
  if (existsSync(keyPath)) {
    privateKey = createPrivateKey(readFileSync(keyPath));
  } else {
    privateKey = generateKeyPairSync('ed25519').privateKey;
    writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: OWNER_ONLY_FILE });
  }
  const publicKeySpkiBase64 = createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).toString('base64');
  return { terminalId, privateKey, publicKeySpkiBase64 };
}

export function readEnrolment(dataDir: string): EnrolmentRecord | undefined {
  const path = join(dataDir, 'enrolment.json');
  if (!existsSync(path)) return undefined;
  return enrolmentRecordSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

export class EnrolmentError extends Error {
  override readonly name = 'EnrolmentError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Enrols this kiosk's public key with the server using a one-time code. */
export async function enrol(dataDir: string, serverUrl: string, identity: TerminalIdentity, code: string): Promise<EnrolmentRecord> {
  let response: Response;
  try {
    response = await fetch(`${serverUrl}/api/v1/terminals/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ terminalId: identity.terminalId, code, publicKey: identity.publicKeySpkiBase64 }),
      signal: AbortSignal.timeout(ENROL_TIMEOUT_MS),
    });
  } catch (error) {
    throw new EnrolmentError('unreachable', `cannot reach ${serverUrl}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new EnrolmentError(body.error?.code ?? `http-${response.status}`, body.error?.message ?? `enrolment refused (${response.status})`);
  }
  const record: EnrolmentRecord = { terminalId: identity.terminalId, serverUrl, enrolledAt: new Date().toISOString() };
  writeFileSync(join(dataDir, 'enrolment.json'), JSON.stringify(record, null, 2));
  return record;
}
