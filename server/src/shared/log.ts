// pino: one JSON line per event. Components get a child logger with their name.
// A log file is made 0600 in a 0700 folder (private-files.ts): log lines
// carry terminal ids, card numbers and citizen numbers.
import { pino, type Logger, type DestinationStream } from 'pino';
import { PRIVATE_FILE_MODE, makePrivateFile } from './private-files.js';

export type { Logger } from 'pino';

/** An appending destination for a log file, readable by its owner only. */
export function privateLogDestination(path: string): DestinationStream {
  makePrivateFile(path);
  return pino.destination({ dest: path, mkdir: false, sync: false, mode: PRIVATE_FILE_MODE });
}

export function createLogger(options: { name: string; level: string; destination?: DestinationStream | string }): Logger {
  const destination = typeof options.destination === 'string' ? privateLogDestination(options.destination) : options.destination;
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
