import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derivedUuidV7, isUuidV7 } from './ids.js';

describe('derived UUIDv7 ids', () => {
  it('are UUIDv7-shaped, stable for a (time, name), and carry SHA-256 of the name in their random bits', () => {
    const id = derivedUuidV7(Date.UTC(2024, 4, 10), 'payroll:2024-05|513227196105080344|account');
    expect(isUuidV7(id)).toBe(true);
    expect(derivedUuidV7(Date.UTC(2024, 4, 10), 'payroll:2024-05|513227196105080344|account')).toBe(id);
    expect(id.slice(0, 13)).toBe(`${Date.UTC(2024, 4, 10).toString(16).padStart(12, '0').slice(0, 8)}-${Date.UTC(2024, 4, 10).toString(16).padStart(12, '0').slice(8)}`);
    // The last 12 hex digits are bytes 10..15 of the id = bytes 4..9 of the digest (unchanged by version/variant).
    const digest = createHash('sha256').update('payroll:2024-05|513227196105080344|account', 'utf8').digest('hex');
    expect(id.slice(-12)).toBe(digest.slice(8, 20));
    expect(derivedUuidV7(Date.UTC(2024, 4, 10), 'payroll:2024-05|513227196105080344|pool')).not.toBe(id);
  });
});
