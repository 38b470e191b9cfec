// Every word the kiosk shows or speaks, in Simplified Chinese (default),
// Traditional Chinese, Tibetan and English (issue 12 section 3). Keys are
// stable: the terminal sends message keys, never sentences. A key missing
// from a language falls back to Simplified Chinese and then to the key, but
// never silently: it is reported (console.error and `missingKeys()`), and in
// strict mode (the tests) it throws.
import { KIOSK_LANGUAGES, type KioskLanguage } from '@nongbao/protocol/local-api-names';
import { bo } from './i18n/bo.js';
import { en } from './i18n/en.js';
import { zhHans } from './i18n/zh-Hans.js';
import { zhHant } from './i18n/zh-Hant.js';
import { errorDictionary } from './i18n/errors.js';

export const LANGUAGES = KIOSK_LANGUAGES;
export type Language = KioskLanguage;

export const LANGUAGE_NAMES: Record<Language, string> = {
  'zh-Hans': '简体中文',
  'zh-Hant': '繁體中文',
  bo: 'བོད་ཡིག',
  en: 'English',
};

export type Dictionary = Record<string, string>;
// The error register's words (issue 13 section 1) are kept in one table of their own, merged here.
export const DICTIONARIES: Record<Language, Dictionary> = {
  'zh-Hans': { ...zhHans, ...errorDictionary('zh-Hans') },
  'zh-Hant': { ...zhHant, ...errorDictionary('zh-Hant') },
  bo: { ...bo, ...errorDictionary('bo') },
  en: { ...en, ...errorDictionary('en') },
};

export type Params = Record<string, string | number>;
export type Translate = (key: string, params?: Params) => string;

const missing = new Set<string>();
let strict = false;

/** Tests: a missing key throws instead of falling back. */
export function setStrictTranslations(on: boolean): void {
  strict = on;
}

/** `language:key` of every lookup that fell back since the page loaded (the browser test reads it). */
export function missingKeys(): string[] {
  return [...missing];
}

/** Looks up `key` in `language` and fills `{placeholders}`; a fallback is reported, never silent. */
export function translate(language: Language, key: string, params: Params = {}): string {
  let template = DICTIONARIES[language][key];
  if (template === undefined) {
    const where = `${language}:${key}`;
    if (strict) throw new Error(`no translation for ${where}`);
    if (!missing.has(where)) {
      missing.add(where);
      console.error(`nongbao kiosk: no translation for ${where}`);
    }
    template = zhHans[key] ?? key;
  }
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/** Fen as yuan with two decimals and thousands separators: 1234567 -> "12,345.67". */
export function formatFen(fen: number): string {
  const negative = fen < 0;
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = String(abs % 100).padStart(2, '0');
  return `${negative ? '-' : ''}${yuan.toLocaleString('en-US')}.${cents}`;
}

/** How old data is, in words: "3 days ago" (issue 12 section 1: "as of 3 days ago"). */
export function ageText(t: Translate, asOfIso: string, nowMs: number): string {
  const minutes = Math.max(0, Math.floor((nowMs - Date.parse(asOfIso)) / 60_000));
  if (minutes < 2) return t('age.justNow');
  if (minutes < 120) return t('age.minutes', { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t('age.hours', { n: hours });
  return t('age.days', { n: Math.floor(hours / 24) });
}
