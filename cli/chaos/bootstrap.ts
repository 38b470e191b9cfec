// Setting up a chaos run's county, as a county office would before the kiosks
// go live: the database with the county's residents (built into it by the
// same seeding the demo uses), then each kiosk created with its village and
// location and enrolled with its one-time code over HTTP. Done in this
// process against a server on a spare port; the run then starts the real
// server process on the same database file.
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createServerServices, startServer, type DemoCounty } from '@nongbao/server';
import { DEMO_ISSUER_KEY } from '@nongbao/drivers/card';
import { enrol, loadOrCreateIdentity } from '@nongbao/terminal';

/** A port nobody listens on now (the OS picks it; it is free again once we let go of it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}

/** The chaos run's kiosk ids: chaos-kiosk-01, -02, ... */
export function chaosTerminalId(index: number): string {
  return `chaos-kiosk-${String(index + 1).padStart(2, '0')}`;
}

/** What the county offers its residents this year, as a kiosk shows it (the backlog mode's journals are made of it). */
export interface PaymentOffer {
  year: number;
  tiers: { tierYuan: number; dueFen: number }[];
}

export async function bootstrapCounty(options: { dbPath: string; county: DemoCounty; kiosks: { terminalId: string; dataDir: string }[]; logger: Logger }): Promise<PaymentOffer> {
  const { logger, county } = options;
  let services: ReturnType<typeof createServerServices> | undefined;
  const server = await startServer({
    db: options.dbPath,
    host: '127.0.0.1',
    port: 0,
    logger,
    services: (db, gateway) => (services = createServerServices(db, { logger, seedDemo: county, issuerKey: DEMO_ISSUER_KEY }, gateway)),
  });
  try {
    const offer = services!.kiosk.summary(county.residents[0]!.citizenNumber)?.payment;
    if (!offer) throw new Error('the chaos county offers its residents no payment this year');
    for (const [i, kiosk] of options.kiosks.entries()) {
      const village = county.villages[i % county.villages.length]!;
      const { code } = server.terminals.createTerminal({ terminalId: kiosk.terminalId, villageCode: village.code, location: `${village.name} chaos run, kiosk ${i + 1}` }, 'chaos');
      await enrol(kiosk.dataDir, server.url, loadOrCreateIdentity(kiosk.dataDir, kiosk.terminalId), code);
    }
    return offer;
  } finally {
    await server.close();
  }
}

export function kioskDataDir(runDir: string, terminalId: string): string {
  return join(runDir, 'kiosks', terminalId);
}
