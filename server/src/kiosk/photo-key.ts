// The server's photo key (issue 12 section 1: a proof-of-life photo is
// "stored for review at the office, readable only by the server"). An X25519
// key pair made once and kept in the database; kiosks get the public half in
// kiosk.config and seal each photo to it (protocol `sealedPhotoSchema`); only
// this class opens them.
import { createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject } from 'node:crypto';
import { PHOTO_SEAL_INFO, type SealedPhoto } from '@nongbao/protocol';
import type { SqlDatabase } from '../sql/types.js';
import { migrateKiosk } from './schema.js';

const KEY_NAME = 'photo-x25519-pkcs8';
const AES_KEY_BYTES = 32;

export type PhotoOpenProblem = 'unreadable' | 'other-key';

export class PhotoKey {
  private readonly privateKey: KeyObject;
  /** Raw 32-byte public key, base64url, as kiosk.config carries it. */
  readonly publicKey: string;

  constructor(db: SqlDatabase) {
    migrateKiosk(db);
    const made = generateKeyPairSync('x25519').privateKey.export({ format: 'der', type: 'pkcs8' });
    db.prepare('INSERT OR IGNORE INTO kiosk_keys (name, key) VALUES (?, ?)').run(KEY_NAME, made);
    const der = (db.prepare('SELECT key FROM kiosk_keys WHERE name = ?').get(KEY_NAME) as { key: Buffer }).key;
    this.privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    this.publicKey = (createPublicKey(this.privateKey).export({ format: 'jwk' }) as { x: string }).x;
  }

  /** Opens a sealed photo; `additionalData` is `<certification id>|<citizen number>`. */
  open(sealed: SealedPhoto, additionalData: string): { ok: true; jpeg: Buffer } | { ok: false; problem: PhotoOpenProblem } {
    if (sealed.recipient !== this.publicKey) return { ok: false, problem: 'other-key' };
    try {
      const ephemeral = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: sealed.ephemeralPublicKey }, format: 'jwk' });
      const shared = diffieHellman({ privateKey: this.privateKey, publicKey: ephemeral });
      const salt = Buffer.concat([Buffer.from(sealed.ephemeralPublicKey, 'base64url'), Buffer.from(sealed.recipient, 'base64url')]);
      const key = Buffer.from(hkdfSync('sha256', shared, salt, PHOTO_SEAL_INFO, AES_KEY_BYTES));
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.nonce, 'base64url'));
      decipher.setAAD(Buffer.from(additionalData, 'utf8'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
      return { ok: true, jpeg: Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64url')), decipher.final()]) };
    } catch {
      return { ok: false, problem: 'unreadable' };
    }
  }
}
