// The kiosk's spoken prompts (issue 12 section 3). Synthesized ones are
// rendered at UI build time (espeak-ng, kiosk-ui/prompts/render.ts) into the
// UI's dist/prompts with a manifest; recorded ones are a county's own audio
// files, checked and installed by `nongbao prompts import DIR` into the
// kiosk's prompts folder, one WAV per language and prompt key:
//   DIR/<language>/<prompt key>.wav   (e.g. DIR/bo/screen.menu.wav)
// Recorded prompts take precedence over synthesized ones in every language;
// espeak-ng has no Tibetan voice, so Tibetan is spoken only where recorded.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { KIOSK_LANGUAGES, type KioskLanguage, type PromptManifest } from '@nongbao/protocol';

/** What a recorded prompt must be: 16-bit PCM WAV, mono, a plain rate, a short sentence long. */
export const RECORDED_PROMPT_FORMAT = {
  sampleRatesHz: [8_000, 11_025, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000],
  channels: 1,
  bitsPerSample: 16,
  minDurationMs: 200,
  maxDurationMs: 20_000,
  maxFileBytes: 2 * 1024 * 1024,
} as const;
/** Recorded prompts are served under this path; synthesized ones under /prompts/. */
export const RECORDED_PROMPTS_URL = '/prompts-recorded';
/** The synthesized prompts' manifest in the UI's dist folder. */
export const SYNTHESIZED_MANIFEST = 'prompts/manifest.json';

export interface WavInfo {
  sampleRateHz: number;
  channels: number;
  bitsPerSample: number;
  durationMs: number;
}

/** Reads a RIFF/WAVE header: the fmt chunk (PCM only) and the data chunk's length. */
export function readWavInfo(bytes: Buffer): { ok: true; info: WavInfo } | { ok: false; problem: string } {
  if (bytes.length < 12 || bytes.toString('latin1', 0, 4) !== 'RIFF' || bytes.toString('latin1', 8, 12) !== 'WAVE') return { ok: false, problem: 'not a WAV file (no RIFF/WAVE header)' };
  let fmt: { format: number; channels: number; sampleRateHz: number; bitsPerSample: number } | null = null;
  let dataBytes: number | null = null;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = bytes.toString('latin1', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    if (id === 'fmt ' && size >= 16 && at + 24 <= bytes.length) {
      fmt = { format: bytes.readUInt16LE(at + 8), channels: bytes.readUInt16LE(at + 10), sampleRateHz: bytes.readUInt32LE(at + 12), bitsPerSample: bytes.readUInt16LE(at + 22) };
    } else if (id === 'data') {
      dataBytes = Math.min(size, bytes.length - at - 8);
      break;
    }
    at += 8 + size + (size % 2);
  }
  if (!fmt) return { ok: false, problem: 'no fmt chunk' };
  if (fmt.format !== 1) return { ok: false, problem: `not PCM (format ${fmt.format})` };
  if (dataBytes === null) return { ok: false, problem: 'no data chunk' };
  const frameBytes = (fmt.channels * fmt.bitsPerSample) / 8;
  const durationMs = frameBytes > 0 && fmt.sampleRateHz > 0 ? Math.round((dataBytes / frameBytes / fmt.sampleRateHz) * 1000) : 0;
  return { ok: true, info: { sampleRateHz: fmt.sampleRateHz, channels: fmt.channels, bitsPerSample: fmt.bitsPerSample, durationMs } };
}

function formatProblem(info: WavInfo): string | null {
  const f = RECORDED_PROMPT_FORMAT;
  if (info.channels !== f.channels) return `${info.channels} channels: must be mono`;
  if (info.bitsPerSample !== f.bitsPerSample) return `${info.bitsPerSample}-bit: must be 16-bit PCM`;
  if (!(f.sampleRatesHz as readonly number[]).includes(info.sampleRateHz)) return `${info.sampleRateHz} Hz: must be one of ${f.sampleRatesHz.join(', ')} Hz`;
  if (info.durationMs < f.minDurationMs) return `${info.durationMs} ms long: at least ${f.minDurationMs} ms`;
  if (info.durationMs > f.maxDurationMs) return `${info.durationMs} ms long: at most ${f.maxDurationMs} ms`;
  return null;
}

export interface PromptFolderCheck {
  files: { language: KioskLanguage; key: string; path: string }[];
  /** Files that cannot be installed, each with why: nothing is installed while there is one. */
  problems: { file: string; problem: string }[];
  /** Prompt keys with no recording, by language (synthesized prompts, where there are some, stand in). */
  missing: Record<KioskLanguage, string[]>;
}

/** Checks a county's folder of recorded prompts against the kiosk's prompt keys. */
export function checkPromptFolder(dir: string, keys: readonly string[]): PromptFolderCheck {
  const check: PromptFolderCheck = { files: [], problems: [], missing: { 'zh-Hans': [], 'zh-Hant': [], bo: [], en: [] } };
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    check.problems.push({ file: dir, problem: 'not a folder' });
    return check;
  }
  for (const entry of readdirSync(dir).sort()) {
    if (!(KIOSK_LANGUAGES as readonly string[]).includes(entry)) check.problems.push({ file: entry, problem: `not a language folder (${KIOSK_LANGUAGES.join(', ')})` });
  }
  const known = new Set(keys);
  for (const language of KIOSK_LANGUAGES) {
    const folder = join(dir, language);
    const found = new Set<string>();
    if (existsSync(folder)) {
      for (const name of readdirSync(folder).sort()) {
        const file = `${language}/${name}`;
        const problem = checkFile(join(folder, name), name, known);
        if (problem) check.problems.push({ file, problem });
        else {
          const key = name.slice(0, -'.wav'.length);
          found.add(key);
          check.files.push({ language, key, path: join(folder, name) });
        }
      }
    }
    check.missing[language] = keys.filter((k) => !found.has(k));
  }
  return check;
}

function checkFile(path: string, name: string, known: ReadonlySet<string>): string | null {
  if (!name.endsWith('.wav')) return 'not a .wav file';
  const key = name.slice(0, -'.wav'.length);
  if (!known.has(key)) return `"${key}" is not a prompt key of this kiosk`;
  const size = statSync(path).size;
  if (size > RECORDED_PROMPT_FORMAT.maxFileBytes) return `${size} bytes: at most ${RECORDED_PROMPT_FORMAT.maxFileBytes}`;
  const wav = readWavInfo(readFileSync(path));
  return wav.ok ? formatProblem(wav.info) : wav.problem;
}

/** Installs a checked folder as the kiosk's recorded prompts, replacing the previous set whole. */
export function installPrompts(check: PromptFolderCheck, targetDir: string): number {
  if (check.problems.length > 0) throw new Error('the folder has problems: nothing is installed');
  const staging = `${targetDir}.new`;
  rmSync(staging, { recursive: true, force: true });
  for (const f of check.files) {
    mkdirSync(join(staging, f.language), { recursive: true });
    copyFileSync(f.path, join(staging, f.language, basename(f.path)));
  }
  mkdirSync(staging, { recursive: true });
  const old = `${targetDir}.old`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(targetDir)) renameSync(targetDir, old);
  renameSync(staging, targetDir);
  rmSync(old, { recursive: true, force: true });
  return check.files.length;
}

/** GET /api/prompts: recorded prompts first, then the synthesized ones the UI build rendered. */
export function promptManifest(uiDir: string, recordedDir: string | undefined): PromptManifest {
  const prompts = { 'zh-Hans': {}, 'zh-Hant': {}, bo: {}, en: {} } as PromptManifest['prompts'];
  const manifestPath = join(uiDir, SYNTHESIZED_MANIFEST);
  if (existsSync(manifestPath)) {
    const synthesized = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: Partial<Record<KioskLanguage, Record<string, string>>> };
    for (const language of KIOSK_LANGUAGES) {
      for (const [key, file] of Object.entries(synthesized.files[language] ?? {})) prompts[language][key] = { url: `/prompts/${file}`, source: 'synthesized' };
    }
  }
  if (recordedDir && existsSync(recordedDir)) {
    for (const language of KIOSK_LANGUAGES) {
      const folder = join(recordedDir, language);
      if (!existsSync(folder)) continue;
      for (const name of readdirSync(folder)) {
        if (name.endsWith('.wav')) prompts[language][name.slice(0, -4)] = { url: `${RECORDED_PROMPTS_URL}/${language}/${encodeURIComponent(name)}`, source: 'recorded' };
      }
    }
  }
  return { prompts };
}
