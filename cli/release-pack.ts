// `nongbao release pack-kiosk --version V --out DIR`: lays out this
// checkout's kiosk software as a release folder, ready for `release create
// --payload DIR` (docs/updates.md "What a release is"):
//   release.json                 { "entry": "bin/nongbao.mjs" }
//   package.json, bin/, cli/     the nongbao command
//   protocol/ drivers/ terminal/ server/ kiosk-ui/   each package's package.json and src/ (tests left out),
//                                the kiosk UI's built dist/ when there is one
//   node_modules/@nongbao/*      links to those packages, inside the release
// The release's terminal/package.json carries version V (the terminal
// reports it as its software version). Third-party packages are not in the
// release: they come with the kiosk image, in the kiosk root's node_modules,
// below every release; a release that needs other ones ships its own
// node_modules, which Node finds first.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '@nongbao/server/config';
import { releaseVersionSchema } from '@nongbao/protocol/release';

const PACKAGES = ['protocol', 'drivers', 'terminal', 'server', 'kiosk-ui'] as const;
const REPO = resolve(import.meta.dirname, '..');
const packSchema = z.object({ version: releaseVersionSchema, out: z.string().min(1) });

const notATest = (source: string): boolean => !source.endsWith('.test.ts');

export async function packKioskCommand(argv: string[]): Promise<number> {
  const c = loadConfig(packSchema, argv);
  const out = resolve(c.out);
  if (existsSync(out) && readdirSync(out).length > 0) {
    process.stderr.write(`nongbao release pack-kiosk: ${out} is not empty\n`);
    return 2;
  }
  mkdirSync(out, { recursive: true });
  for (const item of ['package.json', 'tsconfig.base.json', 'bin', 'cli']) cpSync(join(REPO, item), join(out, item), { recursive: true, filter: notATest });
  mkdirSync(join(out, 'node_modules', '@nongbao'), { recursive: true });
  for (const pkg of PACKAGES) {
    for (const item of ['package.json', 'tsconfig.json', 'src', ...(pkg === 'kiosk-ui' ? ['dist'] : [])]) {
      if (existsSync(join(REPO, pkg, item))) cpSync(join(REPO, pkg, item), join(out, pkg, item), { recursive: true, filter: notATest });
    }
    symlinkSync(join('..', '..', pkg), join(out, 'node_modules', '@nongbao', pkg));
  }
  const terminalPackage = JSON.parse(readFileSync(join(out, 'terminal', 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(out, 'terminal', 'package.json'), `${JSON.stringify({ ...terminalPackage, version: c.version }, null, 2)}\n`);
  writeFileSync(join(out, 'release.json'), `${JSON.stringify({ entry: 'bin/nongbao.mjs' })}\n`);
  if (!existsSync(join(out, 'kiosk-ui', 'dist'))) process.stderr.write('note: the kiosk UI is not built (npm run build:ui); the release serves no screen\n');
  process.stdout.write(`packed the kiosk software as ${c.version} in ${out}; next: nongbao release create --payload ${c.out} ...\n`);
  return 0;
}
