// `nongbao prompts import DIR [--prompts-dir FOLDER]`: checks a county's
// recorded prompts (format, duration, key names: terminal/src/prompts.ts)
// and installs them as the kiosk's recorded prompts, which take precedence
// over the synthesized ones (issue 12 section 3). A folder with any problem
// installs nothing and exits 2; keys without a recording are listed.
import { resolve } from 'node:path';
import { z } from 'zod';
import { loadConfig, parseFlags } from '@nongbao/server/config';
import { checkPromptFolder, installPrompts } from '@nongbao/terminal';
import { PROMPT_KEYS } from '@nongbao/kiosk-ui/prompt-keys';

const promptsConfigSchema = z.object({
  /** Where the kiosk reads recorded prompts (the demo: <data-dir>/prompts). */
  promptsDir: z.string().min(1).default('data/prompts'),
});

const USAGE = 'usage: nongbao prompts import DIR [--prompts-dir FOLDER]\n  DIR/<zh-Hans|zh-Hant|bo|en>/<prompt key>.wav, 16-bit PCM mono\n';

export async function promptsCommand(argv: string[]): Promise<number> {
  const { positional } = parseFlags(argv);
  const [verb, dir] = positional;
  if (verb !== 'import' || !dir) {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = loadConfig(promptsConfigSchema, argv);
  const check = checkPromptFolder(resolve(dir), PROMPT_KEYS);
  for (const p of check.problems) process.stderr.write(`nongbao prompts: ${p.file}: ${p.problem}\n`);
  if (check.problems.length > 0) {
    process.stderr.write(`nongbao prompts: ${check.problems.length} problem(s): nothing installed\n`);
    return 2;
  }
  const installed = installPrompts(check, resolve(config.promptsDir));
  process.stdout.write(`installed ${installed} recorded prompt(s) into ${resolve(config.promptsDir)}\n`);
  for (const [language, keys] of Object.entries(check.missing)) {
    if (keys.length > 0) process.stdout.write(`missing in ${language} (${keys.length}): ${keys.join(', ')}\n`);
  }
  return 0;
}
