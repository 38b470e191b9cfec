// Renders the kiosk's spoken prompts at build time (issue 12 section 3):
// espeak-ng speaks each prompt's words (the dictionaries' `voice.<key>`) in
// Mandarin (used for Simplified and Traditional Chinese alike) and English,
// sox encodes them as Ogg Vorbis, and the UI plays the files (the Web Speech
// API is not relied on: kiosk PCs often have no voices). Tibetan has no
// espeak-ng voice: a county records it (`nongbao prompts import`).
// Each file is cached by the hash of everything that makes it (engine
// versions, voice, speed, words), so a rebuild renders only what changed and
// sox runs in repeatable mode (-R): the same input gives the same bytes.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROMPT_KEYS } from '../src/prompt-keys.js';
import { en } from '../src/i18n/en.js';
import { zhHans } from '../src/i18n/zh-Hans.js';

const run = promisify(execFile);

/** espeak-ng voices by the language whose words they speak; zh-Hant plays the Mandarin files. */
const VOICES = { 'zh-Hans': { voice: 'cmn', words: zhHans }, en: { voice: 'en-us', words: en } } as const;
/** Words per minute: slower than espeak-ng's 175 for elderly listeners. */
const SPEED_WPM = 135;
const SAMPLE_RATE_HZ = 22_050;
/** Renders at once (the build machine has two cores). */
const PARALLEL_RENDERS = 4;
const RENDER_TIMEOUT_MS = 30_000;

export interface RenderResult {
  rendered: number;
  cached: number;
}

async function version(command: string, args: string[]): Promise<string> {
  try {
    return (await run(command, args, { timeout: RENDER_TIMEOUT_MS })).stdout.split('\n')[0]!.trim();
  } catch {
    throw new Error(`${command} is not installed: the kiosk's prompts are rendered with it at build time (npm run setup installs it)`);
  }
}

async function pool<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: PARALLEL_RENDERS }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  }));
}

/** One prompt: from the cache, or espeak-ng -> WAV -> sox -> Ogg Vorbis into the cache. */
async function renderOne(cacheDir: string, engines: string, voice: string, text: string): Promise<{ path: string; fresh: boolean }> {
  const hash = createHash('sha256').update(JSON.stringify({ engines, voice, speed: SPEED_WPM, rate: SAMPLE_RATE_HZ, text })).digest('hex').slice(0, 32);
  const path = join(cacheDir, `${hash}.ogg`);
  if (existsSync(path)) return { path, fresh: false };
  const wav = join(cacheDir, `${hash}.wav`);
  await run('espeak-ng', ['-v', voice, '-s', String(SPEED_WPM), '-w', wav, text], { timeout: RENDER_TIMEOUT_MS });
  await run('sox', ['-R', wav, '-r', String(SAMPLE_RATE_HZ), '-c', '1', `${path}.tmp.ogg`], { timeout: RENDER_TIMEOUT_MS });
  renameSync(`${path}.tmp.ogg`, path);
  return { path, fresh: true };
}

/** The chime before "take your card": two falling tones. */
async function renderChime(cacheDir: string, engines: string): Promise<string> {
  const path = join(cacheDir, `chime-${createHash('sha256').update(engines).digest('hex').slice(0, 16)}.wav`);
  if (!existsSync(path)) {
    await run('sox', ['-R', '-n', '-r', String(SAMPLE_RATE_HZ), '-b', '16', '-c', '1', path, 'synth', '0.2', 'sine', '988', 'synth', '0.2', 'sine', '784', 'fade', '0', '0.4', '0.05', 'vol', '0.6'], { timeout: RENDER_TIMEOUT_MS });
  }
  return path;
}

/** Writes dist/prompts/<language>/<key>.ogg, dist/prompts/manifest.json and dist/sounds/take-card.wav. */
export async function renderPrompts(distDir: string, cacheDir: string): Promise<RenderResult> {
  mkdirSync(cacheDir, { recursive: true });
  const engines = `${await version('espeak-ng', ['--version'])} | ${await version('sox', ['--version'])}`;
  const files: Record<string, Record<string, string>> = { 'zh-Hans': {}, 'zh-Hant': {}, en: {}, bo: {} };
  const jobs = Object.entries(VOICES).flatMap(([language, { voice, words }]) => PROMPT_KEYS.map((key) => ({ language, voice, key, text: words[`voice.${key}`] })));
  const result: RenderResult = { rendered: 0, cached: 0 };
  await pool(jobs, async ({ language, voice, key, text }) => {
    if (!text) throw new Error(`no words for prompt ${key} in ${language} (voice.${key})`);
    const { path, fresh } = await renderOne(cacheDir, engines, voice, text);
    result[fresh ? 'rendered' : 'cached'] += 1;
    mkdirSync(join(distDir, 'prompts', language), { recursive: true });
    copyFileSync(path, join(distDir, 'prompts', language, `${key}.ogg`));
    files[language]![key] = `${language}/${key}.ogg`;
  });
  // Traditional Chinese is read aloud in Mandarin: the same audio.
  files['zh-Hant'] = { ...files['zh-Hans'] };
  mkdirSync(join(distDir, 'sounds'), { recursive: true });
  copyFileSync(await renderChime(cacheDir, engines), join(distDir, 'sounds', 'take-card.wav'));
  const sorted = Object.fromEntries(Object.entries(files).map(([l, f]) => [l, Object.fromEntries(Object.entries(f).sort())]));
  writeFileSync(join(distDir, 'prompts', 'manifest.json'), `${JSON.stringify({ engines, files: sorted }, null, 2)}\n`);
  return result;
}
