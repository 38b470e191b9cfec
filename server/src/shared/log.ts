// pino: one JSON line per event. Components get a child logger with their name.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

export function createLogger(options: { name: string; level: string; destination?: DestinationStream | string }): Logger {
  const destination =
    typeof options.destination === 'string'
      ? pino.destination({ dest: options.destination, mkdir: true, sync: false })
      : options.destination;
  return pino(
    {
      name: options.name,
      level: options.level,
      // A PIN must never reach a log line, whatever a caller passes in.
      redact: { paths: ['pin', '*.pin', 'newPin', 'oldPin', '*.newPin', '*.oldPin'], censor: '[redacted]' },
    },
    destination ?? pino.destination(1),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
