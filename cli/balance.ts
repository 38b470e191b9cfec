// `nongbao balance --listen HOST:PORT --to HOST:PORT,HOST:PORT[,...]`: several
// gateways behind one address (issue 15 section 3). A small TCP balancer for a
// test bed and the chaos run; in production nginx's stream module or HAProxy
// does this job (README, "A province"). server/src/balancer/tcp-balancer.ts
// says what it does.
import { z } from 'zod';
import { loadConfig, logLevelField } from '@nongbao/server/config';
import { createLogger } from '@nongbao/server/log';
import { TcpBalancer, formatAddress, parseAddress, type BalancerAddress } from '@nongbao/server/balancer';
import { waitForShutdown } from './shutdown.js';

/** Gateways one balancer spreads over (a province runs several balancers, each in front of a few). */
export const BALANCE_BACKENDS_LIMIT = 64;

const addressField = z.string().transform((text, ctx): BalancerAddress => {
  try {
    return parseAddress(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

export const balanceConfigSchema = z.object({
  listen: addressField,
  to: z
    .string()
    .min(1)
    .transform((text) => text.split(','))
    .pipe(z.array(addressField).min(1).max(BALANCE_BACKENDS_LIMIT)),
  logLevel: logLevelField(),
});

export async function balanceCommand(argv: string[]): Promise<number> {
  const config = loadConfig(balanceConfigSchema, argv);
  const logger = createLogger({ name: 'balancer', level: config.logLevel });
  const balancer = await TcpBalancer.start({ listen: config.listen, backends: config.to, logger });
  process.stderr.write(`nongbao balance listening on ${formatAddress({ host: config.listen.host, port: balancer.port })}, gateways ${config.to.map(formatAddress).join(', ')}\n`);
  await waitForShutdown(logger);
  await balancer.close();
  return 0;
}
