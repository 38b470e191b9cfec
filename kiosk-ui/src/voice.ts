// Voice on every screen (issue 12 section 3): each screen plays its prompt in
// the session's language from audio files (GET /api/prompts: a county's
// recording first, else espeak-ng's rendering from the build); the Web
// Speech API is not used. Where a language has no audio for a key (Tibetan
// without recordings) nothing is played. The page records what it played
// on <html> (data-prompt, data-prompt-state) so a test can check it.
import { useEffect, useRef, useState } from 'react';
import type { KioskLanguage, PromptManifest } from '@nongbao/protocol';

/** The chime before "take your card" (rendered at build time, prompts/render.ts). */
export const TAKE_CARD_CHIME_URL = './sounds/take-card.wav';

let manifest: PromptManifest['prompts'] | null = null;
let loading: Promise<void> | null = null;

function loadManifest(): Promise<void> {
  loading ??= fetch('/api/prompts')
    .then((r) => r.json() as Promise<PromptManifest>)
    .then((m) => {
      manifest = m.prompts;
    })
    .catch(() => {
      loading = null;
    });
  return loading;
}

let current: HTMLAudioElement | null = null;

function mark(key: string, language: string, state: string): void {
  const root = document.documentElement;
  root.dataset.prompt = `${language}:${key}`;
  root.dataset.promptState = state;
}

function playUrl(url: string, onEnd?: () => void): HTMLAudioElement {
  current?.pause();
  const audio = new Audio(url);
  current = audio;
  if (onEnd) audio.addEventListener('ended', onEnd, { once: true });
  return audio;
}

/** Plays `key` in `language` (after the chime, for take-card); stops whatever played before. */
export async function playPrompt(key: string, language: KioskLanguage, chime = false): Promise<void> {
  await loadManifest();
  const entry = manifest?.[language]?.[key];
  if (!entry) {
    current?.pause();
    mark(key, language, 'none');
    return;
  }
  const start = () => {
    const audio = playUrl(entry.url);
    audio.addEventListener('playing', () => mark(key, language, 'playing'), { once: true });
    audio.addEventListener('ended', () => mark(key, language, 'ended'), { once: true });
    audio.addEventListener('error', () => mark(key, language, 'error'), { once: true });
    audio.play().catch(() => mark(key, language, 'blocked'));
  };
  mark(key, language, 'loading');
  if (!chime) {
    start();
    return;
  }
  const bell = playUrl(TAKE_CARD_CHIME_URL, start);
  bell.play().catch(start);
}

/** Plays the screen's prompt when the screen, the session or the language changes. */
export function useScreenPrompt(key: string, language: KioskLanguage, session: number, chime: boolean): void {
  useEffect(() => {
    void playPrompt(key, language, chime);
  }, [key, language, session, chime]);
}

/** Speaks the idle countdown's warning once when it starts. */
export function useCountdownWarning(countdown: number | null, language: KioskLanguage): void {
  const [warned, setWarned] = useState(false);
  const previous = useRef<number | null>(null);
  useEffect(() => {
    if (countdown !== null && previous.current === null && !warned) {
      setWarned(true);
      void playPrompt('countdown', language);
    }
    if (countdown === null) setWarned(false);
    previous.current = countdown;
  }, [countdown, language, warned]);
}
