// A county server process for the crash tests (collection-crash.test.ts): the
// production server and services over the demo county, on a fixed port (a
// restarted server answers where the kiosk expects it), logging through a
// crash log (../crash-log.ts). Prints `ready <url>` when listening.
// Run: node --import tsx collection-server.ts <dbPath> <port> <logPath>
import { DEMO_ISSUER_KEY } from '@nongbao/drivers/card';
import { createServerServices, startServer } from '@nongbao/server';
import { createLogger } from '@nongbao/server/log';
import { county } from '../demo-residents.js';
import { CrashLog } from '../crash-log.js';

const [dbPath, port, logPath] = process.argv.slice(2) as [string, string, string];
const crash = new CrashLog(logPath);
const logger = createLogger({ name: 'server', level: 'debug', destination: crash.destination });
const server = await startServer({
  db: dbPath,
  host: '127.0.0.1',
  port: Number(port),
  logger,
  services: (db, gateway) => createServerServices(db, { logger, seedDemo: county, issuerKey: DEMO_ISSUER_KEY }, gateway),
});
crash.serve(() => void server.close().then(() => process.exit(0)));
process.stdout.write(`ready ${server.url}\n`);
