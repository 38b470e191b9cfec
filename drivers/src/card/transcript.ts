// APDU transcripts (`=> command` / `<= response` lines, `#` comments) as test
// fixtures (STYLE.md §5), and a transport that replays one: every command
// must match the next `=>` line, and `assertFullyReplayed()` fails if any
// line was left unreplayed.
import { hex } from './codec.js';
import type { ApduTransport } from './types.js';

export interface TranscriptExchange {
  command: Buffer;
  response: Buffer;
  /** 1-based line number of the `=>` line. */
  line: number;
}

/** Thrown by the replay transport: a test failure, not an operating error. */
export class TranscriptMismatchError extends Error {
  override readonly name = 'TranscriptMismatchError';
}

function parseHex(text: string, line: number): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (!/^([0-9A-Fa-f]{2})+$/.test(compact)) throw new TranscriptMismatchError(`line ${line}: not hex bytes`);
  return Buffer.from(compact, 'hex');
}

export function parseTranscript(text: string): TranscriptExchange[] {
  const exchanges: TranscriptExchange[] = [];
  let pending: { command: Buffer; line: number } | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    if (trimmed.startsWith('=>')) {
      if (pending) throw new TranscriptMismatchError(`line ${line}: command without response before it (line ${pending.line})`);
      pending = { command: parseHex(trimmed.slice(2), line), line };
    } else if (trimmed.startsWith('<=')) {
      if (!pending) throw new TranscriptMismatchError(`line ${line}: response without command`);
      exchanges.push({ command: pending.command, response: parseHex(trimmed.slice(2), line), line: pending.line });
      pending = undefined;
    } else throw new TranscriptMismatchError(`line ${line}: expected => or <=`);
  });
  if (pending) throw new TranscriptMismatchError(`line ${pending.line}: command without response`);
  return exchanges;
}

export function formatTranscript(exchanges: ReadonlyArray<Pick<TranscriptExchange, 'command' | 'response'>>): string {
  const spaced = (b: Buffer): string => hex(b).replace(/(..)(?!$)/g, '$1 ');
  return exchanges.map((e) => `=> ${spaced(e.command)}\n<= ${spaced(e.response)}\n`).join('');
}

export class ReplayTransport implements ApduTransport {
  private readonly exchanges: TranscriptExchange[];
  private next = 0;

  constructor(exchanges: TranscriptExchange[]) {
    this.exchanges = exchanges;
  }

  async transmit(command: Buffer): Promise<Buffer> {
    const expected = this.exchanges[this.next];
    if (expected === undefined) throw new TranscriptMismatchError(`unexpected command ${hex(command)}: transcript exhausted`);
    if (!expected.command.equals(command)) {
      throw new TranscriptMismatchError(`line ${expected.line}: expected ${hex(expected.command)}, got ${hex(command)}`);
    }
    this.next += 1;
    return Buffer.from(expected.response);
  }

  get remaining(): number {
    return this.exchanges.length - this.next;
  }

  assertFullyReplayed(): void {
    const left = this.exchanges[this.next];
    if (left !== undefined) throw new TranscriptMismatchError(`${this.remaining} exchange(s) left unreplayed, first at line ${left.line}`);
  }
}

/** Wraps a transport and records what went over it (to write new fixtures). */
export class RecordingTransport implements ApduTransport {
  readonly exchanges: Array<{ command: Buffer; response: Buffer }> = [];
  private readonly inner: ApduTransport;
  private readonly limit: number;

  constructor(inner: ApduTransport, limit = 1_000) {
    this.inner = inner;
    this.limit = limit;
  }

  async transmit(command: Buffer, options?: Parameters<ApduTransport['transmit']>[1]): Promise<Buffer> {
    const response = await this.inner.transmit(command, options);
    if (this.exchanges.length < this.limit) this.exchanges.push({ command: Buffer.from(command), response: Buffer.from(response) });
    return response;
  }
}
