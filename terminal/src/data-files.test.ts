// The kiosk's data folder holds its key and its journal (citizen numbers,
// money): the folder is made 0700, the journal and SQLite's -wal and -shm
// 0600, on real files (terminal private-files.ts, issue 10 section 6).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateIdentity } from './identity.js';
import { Journal } from './journal/index.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe("the kiosk's data folder", () => {
  it('is made 0700 with the key, the journal and its -wal and -shm 0600', () => {
    const root = mkdtempSync(join(tmpdir(), 'nb-kiosk-modes-'));
    roots.push(root);
    const dataDir = join(root, 'data', 'terminal');
    loadOrCreateIdentity(dataDir, 'kiosk-modes-01');
    const path = join(dataDir, 'journal.sqlite');
    const journal = new Journal(path);
    journal.queueCertification({ id: '01a20562-9ad7-7028-b880-1783f7c2e6ec', citizenNumber: '11010519491231002X', certifiedOn: '2026-11-22', certifiedAt: '2026-11-22T02:00:00Z', cardSession: 'e30.c2ln' });
    expect(modeOf(join(root, 'data'))).toBe(0o700);
    expect(modeOf(dataDir)).toBe(0o700);
    for (const file of ['terminal-key.pem', 'journal.sqlite', 'journal.sqlite-wal', 'journal.sqlite-shm']) expect(modeOf(join(dataDir, file)), file).toBe(0o600);
    journal.close();
  });
});
