// Proof-of-life photos as the office reviews them: opened by the server's
// photo key when the certification is booked, kept beside it. A photo that
// cannot be opened does not undo the certification (card and PIN certify;
// the photo is for review): it is kept as a problem for the office to see.
import type { SqlDatabase } from '../sql/types.js';
import type { SealedPhoto } from '@nongbao/protocol';
import type { PhotoKey } from './photo-key.js';
import { migrateKiosk } from './schema.js';

/** Photos listed per page at the office. */
export const PHOTOS_PAGE_LIMIT = 200;
/** JPEG files start with SOI and a marker (0xFFD8FF). */
const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);

export interface CertificationPhotoInfo {
  certificationId: string;
  terminalId: string;
  citizenNumber: string;
  certifiedOn: string;
  receivedAt: string;
  bytes: number;
  problem: 'unreadable' | 'not-jpeg' | 'other-key' | null;
}

interface PhotoRow {
  certification_id: string;
  terminal_id: string;
  citizen_number: string;
  certified_on: string;
  jpeg: Buffer | null;
  problem: CertificationPhotoInfo['problem'];
  received_at: string;
}

const info = (r: PhotoRow): CertificationPhotoInfo => ({
  certificationId: r.certification_id,
  terminalId: r.terminal_id,
  citizenNumber: r.citizen_number,
  certifiedOn: r.certified_on,
  receivedAt: r.received_at,
  bytes: r.jpeg?.length ?? 0,
  problem: r.problem,
});

export class CertificationPhotos {
  constructor(
    private readonly db: SqlDatabase,
    private readonly key: PhotoKey,
  ) {
    migrateKiosk(db);
  }

  /** Opens and keeps a certification's photo; call in the certification's transaction. */
  store(c: { certificationId: string; terminalId: string; citizenNumber: string; certifiedOn: string; photo: SealedPhoto; receivedAt: string }): CertificationPhotoInfo['problem'] {
    const opened = this.key.open(c.photo, `${c.certificationId}|${c.citizenNumber}`);
    const jpeg = opened.ok && opened.jpeg.subarray(0, 3).equals(JPEG_MAGIC) ? opened.jpeg : null;
    const problem = opened.ok ? (jpeg ? null : 'not-jpeg') : opened.problem;
    this.db
      .prepare('INSERT OR IGNORE INTO kiosk_certification_photos (certification_id, terminal_id, citizen_number, certified_on, jpeg, problem, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(c.certificationId, c.terminalId, c.citizenNumber, c.certifiedOn, jpeg, problem, c.receivedAt);
    return problem;
  }

  /** Newest first; one resident's when `citizenNumber` is given. */
  list(limit = PHOTOS_PAGE_LIMIT, citizenNumber: string | null = null): CertificationPhotoInfo[] {
    const rows = this.db
      .prepare('SELECT * FROM kiosk_certification_photos WHERE (? IS NULL OR citizen_number = ?) ORDER BY received_at DESC LIMIT ?')
      .all(citizenNumber, citizenNumber, limit) as PhotoRow[];
    return rows.map(info);
  }

  get(certificationId: string): (CertificationPhotoInfo & { jpeg: Buffer | null }) | undefined {
    const row = this.db.prepare('SELECT * FROM kiosk_certification_photos WHERE certification_id = ?').get(certificationId) as PhotoRow | undefined;
    return row ? { ...info(row), jpeg: row.jpeg } : undefined;
  }
}
