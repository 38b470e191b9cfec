// `nongbao release ...`: the release operators' tools (issue 13 section 3).
//   release keygen --name NAME --out DIR
//   release create --version V --model M --payload PATH --expires ISO --min-version V --out BUNDLE
//   release sign --key PRIVATE_KEY BUNDLE
//   release verify --trusted-keys DIR [--threshold 2] [--installed-version V] [--model M] BUNDLE
//   release publish --trusted-keys DIR [--threshold 2] [--db FILE] [--releases-dir DIR] BUNDLE  (county server)
//   release pack-kiosk --version V --out DIR   (this checkout's kiosk software as a release folder)
// Exit 0 on success; 1 when the bundle is refused (the reason first on the
// line, named as in RELEASE_REFUSALS); 2 for a usage or set-up error.
import { mkdirSync } from 'node:fs';
import { z } from 'zod';
import { loadConfig, parseFlags } from '@nongbao/server/config';
import {
  DEFAULT_SIGNATURE_THRESHOLD,
  createRelease,
  generateReleaseKey,
  isRefusalError,
  isReleaseError,
  loadTrustedKeys,
  releaseVersionSchema,
  kioskModelSchema,
  signRelease,
  verifyBundle,
} from '@nongbao/protocol/release';

type Sub = (argv: string[], positional: string[]) => Promise<number>;

const keygenSchema = z.object({ name: z.string().min(1), out: z.string().min(1) });
const createSchema = z.object({
  version: z.string().min(1),
  model: z.string().min(1),
  payload: z.string().min(1),
  expires: z.string().min(1),
  minVersion: z.string().min(1),
  out: z.string().min(1),
});
const signSchema = z.object({ key: z.string().min(1) });
export const thresholdField = z.coerce.number().int().min(1).max(32).default(DEFAULT_SIGNATURE_THRESHOLD);
const verifySchema = z.object({
  trustedKeys: z.string().min(1),
  threshold: thresholdField,
  installedVersion: releaseVersionSchema.optional(),
  model: kioskModelSchema.optional(),
});

function oneBundle(positional: string[], usage: string): string | undefined {
  if (positional.length === 1) return positional[0];
  process.stderr.write(`usage: nongbao release ${usage}\n`);
  return undefined;
}

const keygen: Sub = async (argv) => {
  const config = loadConfig(keygenSchema, argv);
  mkdirSync(config.out, { recursive: true, mode: 0o700 });
  const made = generateReleaseKey(config.out, config.name);
  process.stdout.write(`key ${made.keyId}\n`);
  process.stderr.write(`private key ${made.privatePath} (mode 0600: keep it offline, it never leaves its file)\npublic key  ${made.publicPath} (install it in each kiosk's trusted-keys folder)\n`);
  return 0;
};

const create: Sub = async (argv, positional) => {
  if (positional.length > 0) {
    process.stderr.write('usage: nongbao release create --version V --model M --payload PATH --expires ISO --min-version V --out BUNDLE\n');
    return 2;
  }
  const c = loadConfig(createSchema, argv);
  const m = await createRelease({ version: c.version, model: c.model, payload: c.payload, expires: c.expires, minVersion: c.minVersion, out: c.out });
  process.stdout.write(`created ${c.out}: version ${m.version} for ${m.model} (from ${m.minVersion} on), payload ${m.payload.size} bytes sha256 ${m.payload.sha256}, expires ${m.expires}\n`);
  process.stderr.write('unsigned: sign it with `nongbao release sign --key KEY BUNDLE` by as many release keys as the kiosks require (2 by default)\n');
  return 0;
};

const signCommand: Sub = async (argv, positional) => {
  const bundle = oneBundle(positional, 'sign --key PRIVATE_KEY BUNDLE');
  if (!bundle) return 2;
  const config = loadConfig(signSchema, argv.filter((a) => a !== bundle));
  const result = signRelease(bundle, config.key);
  process.stdout.write(`signed by key ${result.keyId}; the bundle carries ${result.signatures} signature(s)\n`);
  if (result.replaced) process.stderr.write('this key had signed already: its signature was replaced, and it still counts once\n');
  return 0;
};

const verifyCommand: Sub = async (argv, positional) => {
  const bundle = oneBundle(positional, 'verify --trusted-keys DIR [--threshold 2] [--installed-version V] [--model M] BUNDLE');
  if (!bundle) return 2;
  const c = loadConfig(verifySchema, argv.filter((a) => a !== bundle));
  const result = await verifyBundle(bundle, {
    trustedKeys: loadTrustedKeys(c.trustedKeys),
    threshold: c.threshold,
    ...(c.model ? { model: c.model } : {}),
    ...(c.installedVersion ? { installedVersion: c.installedVersion } : {}),
  });
  if (!result.ok) {
    process.stdout.write(`${result.reason}: ${result.detail}\n`);
    return 1;
  }
  const m = result.bundle.head.manifest;
  process.stdout.write(`ok: version ${m.version} for ${m.model}, signed by ${result.bundle.signedBy.join(', ')} (${c.threshold} needed), payload ${m.payload.size} bytes, expires ${m.expires}\n`);
  return 0;
};

const SUBCOMMANDS: Record<string, Sub> = {
  keygen,
  create,
  sign: signCommand,
  verify: verifyCommand,
  publish: async (argv, positional) => (await import('./release-publish.js')).publishCommand(argv, positional),
  'pack-kiosk': async (argv) => (await import('./release-pack.js')).packKioskCommand(argv),
};

export async function releaseCommand(argv: string[]): Promise<number> {
  const { positional } = parseFlags(argv);
  const name = positional[0];
  const sub = name ? SUBCOMMANDS[name] : undefined;
  if (!sub) {
    process.stderr.write(`usage: nongbao release ${Object.keys(SUBCOMMANDS).join('|')} ... (see nongbao --help)\n`);
    return 2;
  }
  const rest = argv.filter((a, i) => !(a === name && i === argv.indexOf(name)));
  try {
    return await sub(rest, positional.slice(1));
  } catch (error) {
    if (isRefusalError(error)) {
      process.stdout.write(`${error.code}: ${error.message}\n`);
      return 1;
    }
    if (isReleaseError(error)) {
      process.stderr.write(`nongbao release ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
