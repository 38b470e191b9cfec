// Every key a page asks for is a word in both languages: a missing one would
// show the key itself on screen. Keys are read from the pages' source (every
// quoted 'namespace.word'), and the values the API sends for the keys built
// at run time (`pension.${status}`, ...) are listed from the server's types.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIFFERENCE_KINDS, REQUEST_KINDS, REQUEST_STATES, ROLLOUT_TERMINAL_STATES } from '@nongbao/server';
import { en, zhHans } from './index.js';

const SRC = join(import.meta.dirname, '..');
const NAMESPACES = new Set(Object.keys(zhHans).map((k) => k.split('.')[0]!));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) && !e.name.endsWith('.test.ts') && dir !== join(SRC, 'i18n') ? [join(dir, e.name)] : [],
  );
}

/** Keys built from a value the API answers with, and every value it can take. */
const BUILT: Record<string, readonly string[]> = {
  source: ['individual', 'collective', 'aid', 'legacy', 'government'],
  pension: ['not-started', 'paid', 'suspended-certification', 'suspended-family-binding', 'stopped'],
  month: ['paid', 'suspended-certification', 'suspended-family-binding'],
  channel: ['counter', 'kiosk'],
  booking: ['contribution', 'credit'],
  role: ['operator', 'auditor'],
  'runs.state': ['running', 'finished', 'failed'],
  'runs.phase': ['starting-pensions', 'checking-bank-accounts', 'paying', 'crediting-interest', 'settling'],
  'runs.stop': ['death', 'urban-pension', 'stopped'],
  'requests.state': REQUEST_STATES,
  'requests.kind': REQUEST_KINDS,
  'requests.to': ['in-hand', 'settled'],
  'photos.problem': ['unreadable', 'not-jpeg', 'other-key'],
  'cash.status': ['in-transit', 'counted'],
  'cash.between': ['journal-ledger', 'journal-counted'],
  'cash.kind': DIFFERENCE_KINDS,
  'updates.phase': ['canary', 'everyone', 'halted'],
  'updates.wave': ['canary', 'everyone'],
  'updates.state': ROLLOUT_TERMINAL_STATES,
};

describe('the console words', () => {
  const used = new Set<string>();
  for (const file of sources(SRC)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/'([a-z]+(?:\.[a-zA-Z-]+)+)'/g)) if (NAMESPACES.has(m[1]!.split('.')[0]!)) used.add(m[1]!);
  }
  for (const [prefix, values] of Object.entries(BUILT)) for (const v of values) used.add(`${prefix}.${v}`);

  it('finds the keys the pages use', () => {
    expect(used.size).toBeGreaterThan(150);
  });

  it.each([
    ['zh-Hans', zhHans as Record<string, string>],
    ['en', en as Record<string, string>],
  ])('has every key in %s', (_name, dictionary) => {
    expect([...used].filter((key) => dictionary[key] === undefined)).toEqual([]);
  });
});
