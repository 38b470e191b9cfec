import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, booleanField, loadConfig, logLevelField, parseFlags, portField } from './config.js';

const schema = z.object({
  dbPath: z.string().min(1).default('data/x.sqlite'),
  port: portField(8460),
  seedDemo: booleanField(false),
  logLevel: logLevelField(),
});

describe('configuration', () => {
  it('uses defaults when nothing is given', () => {
    expect(loadConfig(schema, [], {})).toEqual({ dbPath: 'data/x.sqlite', port: 8460, seedDemo: false, logLevel: 'info' });
  });

  it('takes flags over environment variables', () => {
    const config = loadConfig(schema, ['--port', '9000', '--seed-demo'], { NONGBAO_PORT: '7000', NONGBAO_DB_PATH: '/tmp/a.sqlite' });
    expect(config).toMatchObject({ port: 9000, seedDemo: true, dbPath: '/tmp/a.sqlite' });
  });

  it('accepts --flag=value', () => {
    expect(loadConfig(schema, ['--log-level=debug'], {}).logLevel).toBe('debug');
  });

  it('names the flag, the variable and the bad value', () => {
    expect(() => loadConfig(schema, ['--port', 'eighty'], {})).toThrowError(ConfigError);
    try {
      loadConfig(schema, [], { NONGBAO_PORT: '70000' });
    } catch (error) {
      expect((error as ConfigError).message).toContain('port from NONGBAO_PORT');
      expect((error as ConfigError).message).toContain('"70000"');
    }
    expect.assertions(3);
  });

  it('refuses an unknown flag instead of silently using a default', () => {
    expect(() => loadConfig(schema, ['--prot', '80'], {})).toThrowError(/--prot: unknown option/);
  });

  it('splits positional arguments from flags', () => {
    expect(parseFlags(['enrol', '--code', 'AB', 'x'])).toEqual({ flags: new Map([['--code', 'AB']]), positional: ['enrol', 'x'] });
  });
});
