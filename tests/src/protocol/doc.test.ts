// docs/protocol.md documents every event of the protocol package, every
// refusal a terminal can meet, and every route of the local API: a new event
// or reason that is not written down fails here.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_EVENTS,
  ENROL_REFUSALS,
  HANDSHAKE_REFUSALS,
  MONEY_REFUSAL_REASONS,
  PAYMENT_CREDIT_REASONS,
  PROTOCOL_ERROR_CODES,
  SERVER_EVENTS,
  UPDATE_FAILURES,
  UPDATE_REPORT_STATES,
} from '@nongbao/protocol';
import { LOCAL_API_ROUTES, SESSION_ACTIONS } from '@nongbao/protocol/local-api';
import { STAFF_API_ROUTES, STAFF_REFUSALS } from '@nongbao/protocol/maintenance';
import { moneyEventSchema } from '@nongbao/protocol';

const root = join(import.meta.dirname, '..', '..', '..');
const doc = readFileSync(join(root, 'docs', 'protocol.md'), 'utf8');

function undocumented(names: readonly string[]): string[] {
  return names.filter((name) => !doc.includes(`\`${name}\``));
}

describe('docs/protocol.md', () => {
  it('documents every terminal -> gateway event and every push', () => {
    expect(undocumented(Object.keys(CLIENT_EVENTS))).toEqual([]);
    expect(undocumented(Object.keys(SERVER_EVENTS))).toEqual([]);
  });

  it('documents every error code and every refusal reason', () => {
    expect(undocumented(PROTOCOL_ERROR_CODES)).toEqual([]);
    expect(undocumented(HANDSHAKE_REFUSALS)).toEqual([]);
    expect(undocumented(ENROL_REFUSALS)).toEqual([]);
    expect(undocumented(MONEY_REFUSAL_REASONS)).toEqual([]);
    expect(undocumented(PAYMENT_CREDIT_REASONS)).toEqual([]);
    expect(undocumented(UPDATE_FAILURES)).toEqual([]);
    expect(undocumented(UPDATE_REPORT_STATES)).toEqual([]);
  });

  it('documents every route and action of the local API', () => {
    expect(undocumented(Object.values(LOCAL_API_ROUTES).map((r) => `${r.method} ${r.path}`))).toEqual([]);
    expect(undocumented(SESSION_ACTIONS)).toEqual([]);
  });

  it('documents every kind of money event, and every staff route and refusal', () => {
    const kinds = moneyEventSchema.options.map((o) => o.shape.kind.value);
    expect(kinds).toContain('collection');
    expect(undocumented(kinds)).toEqual([]);
    expect(undocumented(Object.values(STAFF_API_ROUTES).map((r) => `${r.method} ${r.path}`))).toEqual([]);
    expect(undocumented(STAFF_REFUSALS)).toEqual([]);
  });
});

describe('the protocol package', () => {
  it('imports nothing but zod and its own modules (ARCHITECTURE.md "Layout")', () => {
    const dir = join(root, 'protocol', 'src');
    const foreign: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      for (const [, spec] of readFileSync(join(dir, file), 'utf8').matchAll(/from '([^']+)'/g)) {
        if (spec !== 'zod' && !spec!.startsWith('./')) foreign.push(`${file}: ${spec}`);
      }
    }
    expect(foreign).toEqual([]);
  });
});
