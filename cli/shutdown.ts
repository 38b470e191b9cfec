// Ctrl-C / SIGTERM: stop cleanly once; a second Ctrl-C forces the exit.
import type { Logger } from 'pino';

export function waitForShutdown(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ event: 'shutdown.forced', signal });
        process.exit(130);
      }
      stopping = true;
      logger.info({ event: 'shutdown.requested', signal });
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
