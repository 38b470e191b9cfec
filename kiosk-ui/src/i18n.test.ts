import { describe, expect, it } from 'vitest';
import { DICTIONARIES, LANGUAGES, formatFen, translate } from './i18n.js';

describe('kiosk translations', () => {
  it('has every Simplified Chinese key in every other language', () => {
    const keys = Object.keys(DICTIONARIES['zh-Hans']).sort();
    for (const language of LANGUAGES) {
      expect(Object.keys(DICTIONARIES[language]).sort(), language).toEqual(keys);
    }
  });

  it('keeps the same placeholders in every translation of a key', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, text] of Object.entries(DICTIONARIES['zh-Hans'])) {
      for (const language of LANGUAGES) {
        expect(placeholders(DICTIONARIES[language][key]!), `${language} ${key}`).toEqual(placeholders(text));
      }
    }
  });

  it('fills placeholders and falls back to Simplified Chinese, then to the key', () => {
    expect(translate('en', 'pin.wrong', { tries: 2 })).toBe('Wrong PIN. 2 tries left');
    expect(translate('zh-Hans', 'pin.wrong', { tries: 2 })).toBe('密码不对，还可以试 2 次');
    expect(translate('bo', 'no.such.key')).toBe('no.such.key');
  });

  it('formats fen as yuan with exactly two decimals', () => {
    expect(formatFen(0)).toBe('0.00');
    expect(formatFen(5)).toBe('0.05');
    expect(formatFen(130_000)).toBe('1,300.00');
    expect(formatFen(1_234_567)).toBe('12,345.67');
    expect(formatFen(-250)).toBe('-2.50');
  });
});
