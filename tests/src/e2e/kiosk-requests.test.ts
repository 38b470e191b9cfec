// What residents send the county office from a kiosk (issue 12 section 1),
// on real SQLite: a photo sealed by the kiosk (terminal photo-seal.ts) opens
// only with the server's key and only for its certification; complaints and
// help requests are kept once (a replay is `exists`, the same id with other
// content is not booked) and move forward only: open, in hand, settled.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { openDatabase } from '@nongbao/server/db';
import { CertificationPhotos, KioskRequests, PhotoKey } from '@nongbao/server';
import { sealPhoto } from '@nongbao/terminal';

const CITIZEN = '11010519491231002X';
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('a small face')]);

function database(): ReturnType<typeof openDatabase> {
  return openDatabase(join(mkdtempSync(join(tmpdir(), 'nb-kiosk-requests-')), 'server.sqlite'));
}

describe('proof-of-life photos', () => {
  it('open with the server\'s key, made once and kept in its database, for the certification they were sealed for only', () => {
    const db = database();
    const key = new PhotoKey(db);
    expect(new PhotoKey(db).publicKey).toBe(key.publicKey);
    const id = uuidv7();
    const sealed = sealPhoto(JPEG, key.publicKey, `${id}|${CITIZEN}`);
    expect(Buffer.from(sealed.ciphertext, 'base64url').includes(Buffer.from('a small face'))).toBe(false);
    expect(key.open(sealed, `${id}|${CITIZEN}`)).toEqual({ ok: true, jpeg: JPEG });
    // Moved to another certification or person, or tampered with: it does not open.
    expect(key.open(sealed, `${uuidv7()}|${CITIZEN}`)).toEqual({ ok: false, problem: 'unreadable' });
    expect(key.open({ ...sealed, tag: sealed.tag.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }, `${id}|${CITIZEN}`)).toEqual({ ok: false, problem: 'unreadable' });
    // Sealed for another server's key.
    const other = new PhotoKey(database());
    expect(key.open(sealPhoto(JPEG, other.publicKey, `${id}|${CITIZEN}`), `${id}|${CITIZEN}`)).toEqual({ ok: false, problem: 'other-key' });
  });

  it('are kept for review with the certification; one that cannot be opened is kept as a problem, with no image', () => {
    const db = database();
    const key = new PhotoKey(db);
    const photos = new CertificationPhotos(db, key);
    const good = uuidv7();
    const bad = uuidv7();
    const at = new Date().toISOString();
    expect(photos.store({ certificationId: good, terminalId: 'kiosk-a', citizenNumber: CITIZEN, certifiedOn: '2026-12-05', photo: sealPhoto(JPEG, key.publicKey, `${good}|${CITIZEN}`), receivedAt: at })).toBeNull();
    expect(photos.store({ certificationId: bad, terminalId: 'kiosk-a', citizenNumber: CITIZEN, certifiedOn: '2026-12-05', photo: sealPhoto(JPEG, key.publicKey, `${good}|${CITIZEN}`), receivedAt: at })).toBe('unreadable');
    expect(photos.get(good)).toMatchObject({ jpeg: JPEG, problem: null, bytes: JPEG.length });
    expect(photos.get(bad)).toMatchObject({ jpeg: null, problem: 'unreadable' });
    expect(photos.list().map((p) => p.certificationId).sort()).toEqual([good, bad].sort());
  });
});

describe('residents\' requests at the county office', () => {
  it('keeps a complaint once, answers a replay with exists, and books nothing for the same id with other content', () => {
    const requests = new KioskRequests(database());
    const id = uuidv7();
    const complaint = { kind: 'pension-complaint' as const, id, citizenNumber: CITIZEN, month: '2026-10', amountFen: 9_999, at: '2026-12-05T02:00:00.000Z' };
    const facts = { villageCode: 'V1', amountFen: 6_625, receivedAt: '2026-12-05T02:00:01.000Z' };
    expect(requests.record('kiosk-a', complaint, facts)).toBe('created');
    expect(requests.record('kiosk-a', complaint, facts)).toBe('exists');
    expect(requests.record('kiosk-a', { ...complaint, month: '2026-09' }, facts)).toBe('exists_with_different_meta');
    expect(requests.record('kiosk-b', complaint, facts)).toBe('exists_with_different_debit_account_id');
    // The office sees the payroll's amount, not the kiosk's word.
    expect(requests.list()).toMatchObject([{ id, kind: 'pension-complaint', month: '2026-10', amountFen: 6_625, state: 'open', villageCode: 'V1' }]);
  });

  it('moves a request forward only: open, in hand, settled', () => {
    const requests = new KioskRequests(database());
    const id = uuidv7();
    requests.record('kiosk-a', { kind: 'help-request', id, citizenNumber: null, at: new Date().toISOString() }, { villageCode: 'V1', amountFen: null, receivedAt: new Date().toISOString() });
    expect(requests.setState(id, 'in-hand', 'op.wang', 'called the resident', new Date().toISOString())).toMatchObject({ ok: true, request: { state: 'in-hand', stateBy: 'op.wang' } });
    expect(requests.list({ state: 'open' })).toEqual([]);
    expect(requests.setState(id, 'settled', 'op.wang', 'agent visited', new Date().toISOString())).toMatchObject({ ok: true, request: { state: 'settled', note: 'agent visited' } });
    expect(requests.setState(id, 'in-hand', 'op.wang', 'again', new Date().toISOString())).toEqual({ ok: false, problem: 'not-allowed', state: 'settled' });
    expect(requests.setState(uuidv7(), 'settled', 'op.wang', 'none', new Date().toISOString())).toEqual({ ok: false, problem: 'not-found' });
  });
});
