// A county's recorded prompts (issue 12 section 3): `nongbao prompts import`
// checks format, duration and key names before installing anything, lists
// the keys with no recording, and recordings take precedence over the
// synthesized prompts in every language. Files are made with sox.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPromptFolder, installPrompts, promptManifest } from './prompts.js';

const KEYS = ['screen.idle', 'screen.menu', 'countdown'];

function sox(path: string, ...args: string[]): void {
  execFileSync('sox', ['-n', ...args.slice(0, -2), path, ...args.slice(-2)]);
}

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nb-prompts-'));
  mkdirSync(join(dir, 'bo'));
  sox(join(dir, 'bo', 'screen.idle.wav'), '-r', '16000', '-b', '16', '-c', '1', 'synth', '0.5');
  sox(join(dir, 'bo', 'screen.menu.wav'), '-r', '16000', '-b', '16', '-c', '1', 'synth', '0.5');
  return dir;
}

describe('recorded prompts', () => {
  it('accepts 16-bit mono WAVs named by prompt key, lists the keys with no recording, and installs them', () => {
    const dir = folder();
    const check = checkPromptFolder(dir, KEYS);
    expect(check.problems).toEqual([]);
    expect(check.files.map((f) => `${f.language}/${f.key}`)).toEqual(['bo/screen.idle', 'bo/screen.menu']);
    expect(check.missing.bo).toEqual(['countdown']);
    expect(check.missing.en).toEqual(KEYS);
    const target = join(mkdtempSync(join(tmpdir(), 'nb-prompts-target-')), 'prompts');
    expect(installPrompts(check, target)).toBe(2);
    expect(existsSync(join(target, 'bo', 'screen.menu.wav'))).toBe(true);
  });

  it('refuses, naming each file and why, a stereo file, one too long, one too short, an unknown key, a language folder it does not know and a file that is not WAV; nothing is installed', () => {
    const dir = folder();
    sox(join(dir, 'bo', 'countdown.wav'), '-r', '16000', '-b', '16', '-c', '2', 'synth', '0.5');
    mkdirSync(join(dir, 'en'));
    sox(join(dir, 'en', 'screen.idle.wav'), '-r', '16000', '-b', '16', '-c', '1', 'synth', '25');
    sox(join(dir, 'en', 'screen.menu.wav'), '-r', '16000', '-b', '16', '-c', '1', 'synth', '0.05');
    sox(join(dir, 'en', 'screen.nothing.wav'), '-r', '16000', '-b', '16', '-c', '1', 'synth', '0.5');
    writeFileSync(join(dir, 'en', 'countdown.wav'), 'not a wav at all');
    mkdirSync(join(dir, 'fr'));
    const check = checkPromptFolder(dir, KEYS);
    expect(check.problems).toEqual([
      { file: 'fr', problem: 'not a language folder (zh-Hans, zh-Hant, bo, en)' },
      { file: 'bo/countdown.wav', problem: '2 channels: must be mono' },
      { file: 'en/countdown.wav', problem: 'not a WAV file (no RIFF/WAVE header)' },
      { file: 'en/screen.idle.wav', problem: '25000 ms long: at most 20000 ms' },
      { file: 'en/screen.menu.wav', problem: '50 ms long: at least 200 ms' },
      { file: 'en/screen.nothing.wav', problem: '"screen.nothing" is not a prompt key of this kiosk' },
    ]);
    const target = join(mkdtempSync(join(tmpdir(), 'nb-prompts-target-')), 'prompts');
    expect(() => installPrompts(check, target)).toThrow(/nothing is installed/);
    expect(existsSync(target)).toBe(false);
  });

  it('serves a recording before the synthesized prompt of the same key, in every language', () => {
    const ui = mkdtempSync(join(tmpdir(), 'nb-prompts-ui-'));
    mkdirSync(join(ui, 'prompts'));
    writeFileSync(
      join(ui, 'prompts', 'manifest.json'),
      JSON.stringify({ files: { 'zh-Hans': { 'screen.idle': 'zh-Hans/screen.idle.ogg', 'screen.menu': 'zh-Hans/screen.menu.ogg' }, en: { 'screen.idle': 'en/screen.idle.ogg' } } }),
    );
    const recorded = join(mkdtempSync(join(tmpdir(), 'nb-prompts-rec-')), 'prompts');
    mkdirSync(join(recorded, 'zh-Hans'), { recursive: true });
    sox(join(recorded, 'zh-Hans', 'screen.idle.wav'), '-r', '16000', '-b', '16', '-c', '1', 'synth', '0.5');
    const { prompts } = promptManifest(ui, recorded);
    expect(prompts['zh-Hans']['screen.idle']).toEqual({ url: '/prompts-recorded/zh-Hans/screen.idle.wav', source: 'recorded' });
    expect(prompts['zh-Hans']['screen.menu']).toEqual({ url: '/prompts/zh-Hans/screen.menu.ogg', source: 'synthesized' });
    expect(prompts.en['screen.idle']!.source).toBe('synthesized');
    expect(prompts.bo).toEqual({});
  });
});
