// The console's words: Simplified Chinese by default, English available
// (issue 14). A missing key shows as the key itself (i18n.test.ts checks that
// every key the pages use is in both dictionaries).
import { en } from './en.js';
import { zhHans, type MessageKey } from './zh-Hans.js';

export type { MessageKey };
export const LANGUAGES = ['zh-Hans', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_NAMES: Record<Language, string> = { 'zh-Hans': '简体中文', en: 'English' };

const DICTIONARIES: Record<Language, Record<MessageKey, string>> = { 'zh-Hans': zhHans, en };
const STORAGE_KEY = 'nongbao.console.language';

export type Translate = (key: MessageKey | (string & {}), vars?: Record<string, string | number>) => string;

export function translator(language: Language): Translate {
  const dictionary = DICTIONARIES[language];
  return (key, vars) => {
    const text = (dictionary as Record<string, string>)[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole)) : text;
  };
}

export function loadLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  return (LANGUAGES as readonly string[]).includes(stored ?? '') ? (stored as Language) : 'zh-Hans';
}

export function saveLanguage(language: Language): void {
  localStorage.setItem(STORAGE_KEY, language);
}

export { zhHans, en };
