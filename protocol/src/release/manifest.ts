// The release manifest: what the release keys sign (issue 13 section 3). One
// document binds the version, the kiosk model, the payload's sha256 and size,
// the expiry and the lowest version it may update from, so no part of it can
// be combined with another release's (TUF "mix-and-match attacks").
import { z } from 'zod';
import { canonicalJson } from './canonical.js';
import { compareVersions, releaseVersionSchema } from './version.js';

/** `type` of every release manifest: a signature over another kind of document is never taken for one. */
export const RELEASE_MANIFEST_TYPE = 'nongbao-release';
export const RELEASE_FORMAT_VERSION = 1;
/** The largest payload a bundle may carry (the kiosk's software with its dependencies is about 200 MB). */
export const PAYLOAD_BYTES_LIMIT = 1024 * 1024 * 1024;
/** How far ahead a manifest may expire: a stolen bundle stops being installable within a year (TUF "indefinite freeze attacks"). */
export const MANIFEST_LIFETIME_LIMIT_MS = 366 * 24 * 3_600_000;

export const kioskModelSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a kiosk model: lowercase letters, digits and dashes, at most 40');
const utcInstantSchema = z.iso.datetime({ offset: false, precision: 0 });
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in lowercase hex');

export const releaseManifestSchema = z
  .strictObject({
    type: z.literal(RELEASE_MANIFEST_TYPE),
    formatVersion: z.literal(RELEASE_FORMAT_VERSION),
    version: releaseVersionSchema,
    model: kioskModelSchema,
    /** The lowest installed version this release may update from. */
    minVersion: releaseVersionSchema,
    /** After this instant (UTC, seconds) the bundle is refused as `expired`. */
    expires: utcInstantSchema,
    createdAt: utcInstantSchema,
    payload: z.strictObject({
      format: z.literal('tar.gz'),
      sha256: sha256HexSchema,
      size: z.number().int().positive().max(PAYLOAD_BYTES_LIMIT),
    }),
  })
  .refine((m) => compareVersions(m.minVersion, m.version) <= 0, { message: 'minVersion is above version', path: ['minVersion'] });
export type ReleaseManifest = z.infer<typeof releaseManifestSchema>;

/** Domain separation: these bytes can never be mistaken for another message a key signs. */
const SIGNING_PREFIX = 'nongbao-release-manifest/v1\n';

/** The bytes each release key signs: the prefix and the manifest's canonical JSON. */
export function signingMessage(signed: unknown): Buffer {
  return Buffer.from(SIGNING_PREFIX + canonicalJson(signed), 'utf8');
}
