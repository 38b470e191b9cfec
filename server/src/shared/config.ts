// Configuration from flags and environment, validated at start.
// Each key `someKey` is read from `--some-key VALUE` (or `--some-key=VALUE`),
// else from `NONGBAO_SOME_KEY`, else the schema's default. A bad value stops
// the program with an error naming the flag, the variable and the problem.
import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function envName(key: string): string {
  return `NONGBAO_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** Splits argv into `--flag value` pairs; a flag with no value is `true`. */
export function parseFlags(argv: readonly string[]): { flags: Map<string, string>; positional: string[] } {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags.set(arg.slice(0, eq), arg.slice(eq + 1));
    } else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) {
      flags.set(arg, argv[++i]!);
    } else {
      flags.set(arg, 'true');
    }
  }
  return { flags, positional };
}

/**
 * Loads `schema` (an object of coercing fields) from flags and environment.
 * Unknown flags are an error too: a typo must not silently use a default.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const { flags } = parseFlags(argv);
  const raw: Record<string, string> = {};
  const origin: Record<string, string> = {};
  const keys = Object.keys(schema.shape);
  const known = new Set(keys.map(flagName));
  const problems: string[] = [];
  for (const flag of flags.keys()) {
    if (!known.has(flag)) problems.push(`${flag}: unknown option (known: ${[...known].join(', ')})`);
  }
  for (const key of keys) {
    const fromFlag = flags.get(flagName(key));
    const fromEnv = env[envName(key)];
    if (fromFlag !== undefined) {
      raw[key] = fromFlag;
      origin[key] = flagName(key);
    } else if (fromEnv !== undefined && fromEnv !== '') {
      raw[key] = fromEnv;
      origin[key] = envName(key);
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '');
      const where = origin[key] ?? `${flagName(key)} / ${envName(key)}`;
      const value = raw[key] !== undefined ? ` (got ${JSON.stringify(raw[key])})` : '';
      problems.push(`${key} from ${where}: ${issue.message}${value}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return (parsed as { data: z.infer<S> }).data;
}

// Field helpers for schemas: environment and flags are strings.
export const portField = (defaultPort: number) => z.coerce.number().int().min(0).max(65535).default(defaultPort);
export const booleanField = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
export const logLevelField = () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');
