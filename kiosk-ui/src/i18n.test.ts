// The kiosk's words (issue 12 section 3): every key the code uses is in every
// dictionary (not only: the dictionaries agree with each other), the
// placeholders match, and `translate` never falls back silently.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ALARM_CODES, DEVICE_STATES, PENSION_MONTH_STATUSES, PENSION_STATUSES, SOURCES } from '@nongbao/protocol';
import { DEVICE_NAMES, LOCAL_REFUSALS, STAFF_SECTIONS } from '@nongbao/protocol/local-api-names';
import { ERROR_REGISTER, STAFF_ACTIONS } from '@nongbao/protocol/errors';
import { SELF_TESTS, STAFF_REFUSALS } from '@nongbao/protocol/maintenance';
import { PAYMENT_REFUSAL_KEYS } from '../../terminal/src/screens.js';
import { DICTIONARIES, LANGUAGES, formatFen, missingKeys, setStrictTranslations, translate } from './i18n.js';
import { PROMPT_KEYS } from './prompt-keys.js';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'i18n' ? [] : sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * Keys built from a value at run time, by the prefix the code writes: each
 * expands to the closed list of values the protocol (or the terminal) can
 * send. A template prefix in code that is not listed here fails the test.
 */
const FAMILIES: Record<string, readonly string[]> = {
  'refusal.': [...LOCAL_REFUSALS, ...STAFF_REFUSALS, 'bad-request', 'not-found', 'too-large', 'internal', 'forbidden-origin', 'misdirected', 'unreachable'],
  'source.': SOURCES,
  'account.pension.': PENSION_STATUSES,
  'month.': PENSION_MONTH_STATUSES,
  'device.': DEVICE_NAMES,
  'deviceState.': DEVICE_STATES,
  'alarm.': ALARM_CODES,
  'staff.nav.': STAFF_SECTIONS,
  // Issue 13: the error register's words and actions, the self-tests, the paper, a collection's relay.
  'error.': [...ERROR_REGISTER.values()].map((e) => e.messageKey),
  'action.': STAFF_ACTIONS,
  'selfTest.': SELF_TESTS,
  'paper.': ['ok', 'nearEnd', 'out', 'unknown'],
  'cash.relay.': ['pending', 'done', 'halted', 'settled'],
  'publicity.': ['certified', 'lapsed'],
  'voice.': PROMPT_KEYS,
  'payment.refused.': [...PAYMENT_REFUSAL_KEYS, 'other', 'provisional'],
};

/** Every key the code uses: t('...') in the UI, message keys the terminal and the card driver send, and the families above. */
function keysUsedInCode(): { keys: Set<string>; unknownTemplates: string[] } {
  const keys = new Set<string>();
  const unknownTemplates: string[] = [];
  for (const file of sources(join(root, 'kiosk-ui', 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const [, key] of text.matchAll(/\bt\('([^']+)'/g)) keys.add(key!);
    for (const [, prefix] of text.matchAll(/\bt\(`([^`$]*)\$\{/g)) if (!FAMILIES[prefix!]) unknownTemplates.push(`${file}: t(\`${prefix}\${...}\`)`);
  }
  // Message keys the terminal puts in its screens, and the card driver's resident messages.
  const senders = [...sources(join(root, 'terminal', 'src')), join(root, 'drivers', 'src', 'card', 'errors.ts')];
  for (const file of senders) {
    // Not log event names (`event: '...'`), protocol events (`request('...'`) or step names (`fail(error, '...'`).
    for (const [, before, key] of readFileSync(file, 'utf8').matchAll(/(event: |request\(|error, )?'((?:card|payment|server|confirm|account)\.[A-Za-z][A-Za-z.-]*)'/g)) {
      if (before === undefined && !key!.endsWith('.')) keys.add(key!);
    }
  }
  for (const [prefix, values] of Object.entries(FAMILIES)) for (const value of values) keys.add(`${prefix}${value}`);
  return { keys, unknownTemplates };
}

describe('kiosk translations', () => {
  afterEach(() => setStrictTranslations(false));

  it('has every key the code uses in every language', () => {
    const { keys, unknownTemplates } = keysUsedInCode();
    expect(unknownTemplates).toEqual([]);
    expect(keys.size).toBeGreaterThan(150);
    for (const language of LANGUAGES) {
      expect([...keys].filter((key) => DICTIONARIES[language][key] === undefined), language).toEqual([]);
    }
  });

  it('has every Simplified Chinese key in every other language', () => {
    const keys = Object.keys(DICTIONARIES['zh-Hans']).sort();
    for (const language of LANGUAGES) expect(Object.keys(DICTIONARIES[language]).sort(), language).toEqual(keys);
  });

  it('keeps the same placeholders in every translation of a key', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, text] of Object.entries(DICTIONARIES['zh-Hans'])) {
      for (const language of LANGUAGES) expect(placeholders(DICTIONARIES[language][key]!), `${language} ${key}`).toEqual(placeholders(text));
    }
  });

  it('fills placeholders, and never falls back silently: a missing key throws in strict mode and is reported otherwise', () => {
    expect(translate('en', 'pin.wrong', { tries: 2 })).toBe('Wrong PIN. 2 tries left');
    expect(translate('zh-Hans', 'pin.wrong', { tries: 2 })).toBe('密码不对，还可以试 2 次');
    setStrictTranslations(true);
    expect(() => translate('bo', 'no.such.key')).toThrow(/no translation for bo:no.such.key/);
    setStrictTranslations(false);
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args.join(' '));
    try {
      expect(translate('bo', 'no.such.key')).toBe('no.such.key');
    } finally {
      console.error = original;
    }
    expect(missingKeys()).toContain('bo:no.such.key');
    expect(errors).toEqual(['nongbao kiosk: no translation for bo:no.such.key']);
  });

  it('formats fen as yuan with exactly two decimals', () => {
    expect(formatFen(0)).toBe('0.00');
    expect(formatFen(5)).toBe('0.05');
    expect(formatFen(130_000)).toBe('1,300.00');
    expect(formatFen(1_234_567)).toBe('12,345.67');
    expect(formatFen(-250)).toBe('-2.50');
  });
});
