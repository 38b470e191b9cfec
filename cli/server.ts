// `nongbao server` and `nongbao enrol-code`.
import { z } from 'zod';
import type { Logger } from 'pino';
import { booleanField, loadConfig, logLevelField, portField } from '@nongbao/server/config';
import { createLogger } from '@nongbao/server/log';
import { createServerServices, startServer, type RunningServer } from '@nongbao/server';
import { consoleDistDir } from '@nongbao/console';
import { waitForShutdown } from './shutdown.js';

export const serverConfigSchema = z.object({
  db: z.string().min(1).default('data/nongbao.sqlite'),
  host: z.string().min(1).default('127.0.0.1'),
  port: portField(8460),
  logLevel: logLevelField(),
  /** Build the demo county into an empty database. */
  seedDemo: booleanField(false),
  /** The card issuer key, 32 hex digits; kiosks need the server to hold it to verify cards. */
  issuerKey: z
    .string()
    .regex(/^[0-9A-Fa-f]{32}$/, '32 hex digits (16 bytes)')
    .optional(),
});

export type ServerConfig = z.infer<typeof serverConfigSchema>;

/** Starts the county server as `nongbao server` does (also used by the chaos run's server process, cli/chaos/entries.ts). */
export async function startServerFromConfig(config: ServerConfig, logger: Logger): Promise<RunningServer> {
  const server = await startServer({
    db: config.db,
    host: config.host,
    port: config.port,
    logger,
    consoleDir: consoleDistDir,
    services: (db, gateway) =>
      createServerServices(
        db,
        {
          logger,
          seedDemo: config.seedDemo,
          ...(config.issuerKey ? { issuerKey: Buffer.from(config.issuerKey, 'hex') } : {}),
        },
        gateway,
      ),
  });
  if (!config.issuerKey) {
    logger.warn({ event: 'server.no_issuer_key', detail: 'kiosks cannot verify card authenticity (set NONGBAO_ISSUER_KEY)' });
  }
  return server;
}

export async function serverCommand(argv: string[]): Promise<number> {
  const config = loadConfig(serverConfigSchema, argv);
  const logger = createLogger({ name: 'server', level: config.logLevel });
  const server = await startServerFromConfig(config, logger);
  process.stderr.write(`nongbao server listening on ${server.url} (database ${config.db}); office console: ${server.url}/admin/\n`);
  await waitForShutdown(logger);
  await server.close();
  return 0;
}

