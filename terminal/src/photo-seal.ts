// Seals a proof-of-life photo for the server before it is journaled (issue
// 12 section 1: "readable only by the server"; protocol `sealedPhotoSchema`):
// an ephemeral X25519 key agreed with the server's photo key from
// kiosk.config, HKDF-SHA256 to an AES-256-GCM key, the certification id and
// citizen number as additional data. The kiosk keeps no way to open it.
import { createCipheriv, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes } from 'node:crypto';
import { PHOTO_JPEG_BYTES_LIMIT, PHOTO_SEAL_INFO, PHOTO_SEAL_SCHEME, type SealedPhoto } from '@nongbao/protocol';

const AES_KEY_BYTES = 32;
const GCM_NONCE_BYTES = 12;
const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);

export type PhotoProblem = 'not-jpeg' | 'too-large';

/** Checks the camera's bytes are a JPEG the protocol carries. */
export function checkPhoto(jpeg: Buffer): PhotoProblem | null {
  if (jpeg.length < JPEG_MAGIC.length || !jpeg.subarray(0, JPEG_MAGIC.length).equals(JPEG_MAGIC)) return 'not-jpeg';
  if (jpeg.length > PHOTO_JPEG_BYTES_LIMIT) return 'too-large';
  return null;
}

/** Seals `jpeg` to the server's raw X25519 public key (base64url); `additionalData` is `<certification id>|<citizen number>`. */
export function sealPhoto(jpeg: Buffer, serverPublicKey: string, additionalData: string): SealedPhoto {
  const recipient = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: serverPublicKey }, format: 'jwk' });
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralPublicKey = (ephemeral.publicKey.export({ format: 'jwk' }) as { x: string }).x;
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient });
  const salt = Buffer.concat([Buffer.from(ephemeralPublicKey, 'base64url'), Buffer.from(serverPublicKey, 'base64url')]);
  const key = Buffer.from(hkdfSync('sha256', shared, salt, PHOTO_SEAL_INFO, AES_KEY_BYTES));
  const nonce = randomBytes(GCM_NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(additionalData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(jpeg), cipher.final()]);
  return {
    scheme: PHOTO_SEAL_SCHEME,
    recipient: serverPublicKey,
    ephemeralPublicKey,
    nonce: nonce.toString('base64url'),
    ciphertext: ciphertext.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
  };
}
