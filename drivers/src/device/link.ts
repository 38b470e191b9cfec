// The binding between a driver and its byte stream (after zwave-js' serial
// binding and node-serialport's binding interface): a tiny duplex contract so
// the same driver runs over serialport (production, ptys in tests) and over an
// in-memory pair (the demo, unit tests).
//
// Contract:
//  - `write` resolves when the bytes were handed to the OS (drained); it rejects
//    with DeviceError linkClosed once the link is closed.
//  - data listeners get chunks in order, never on the caller's stack (next tick
//    or later), in arbitrary chunking.
//  - close listeners are called exactly once, with the reason.
import { DeviceError, DeviceErrorCode } from './errors.js';

export type LinkCloseReason = 'closed' | 'disconnected' | 'error';

export interface ByteLink {
  readonly isOpen: boolean;
  write(bytes: Uint8Array): Promise<void>;
  /** Returns the unsubscribe function. */
  onData(listener: (chunk: Buffer) => void): () => void;
  onClose(listener: (reason: LinkCloseReason) => void): () => void;
  close(): Promise<void>;
}

class Listeners<A extends unknown[]> {
  readonly #set = new Set<(...args: A) => void>();
  add(listener: (...args: A) => void): () => void {
    this.#set.add(listener);
    return () => this.#set.delete(listener);
  }
  call(...args: A): void {
    for (const listener of [...this.#set]) {
      try {
        listener(...args);
      } catch {
        // A listener's failure belongs to its owner; the link keeps delivering.
      }
    }
  }
}

class MemoryLink implements ByteLink {
  peer: MemoryLink | undefined;
  #open = true;
  readonly data = new Listeners<[Buffer]>();
  readonly closed = new Listeners<[LinkCloseReason]>();
  constructor(private readonly echo: boolean) {}
  get isOpen(): boolean {
    return this.#open;
  }
  async write(bytes: Uint8Array): Promise<void> {
    if (!this.#open) throw new DeviceError(DeviceErrorCode.linkClosed, 'memory link is closed', 'checkConnection');
    const copy = Buffer.from(bytes);
    const peer = this.peer;
    // Next macrotask, like a serial port: the writer's stack unwinds first.
    setImmediate(() => {
      // A single-wire bus (ccTalk) hears its own bytes: deliver them back first.
      if (this.echo && this.#open) this.data.call(copy);
      if (peer && peer.#open) peer.data.call(copy);
    });
  }
  onData(listener: (chunk: Buffer) => void): () => void {
    return this.data.add(listener);
  }
  onClose(listener: (reason: LinkCloseReason) => void): () => void {
    return this.closed.add(listener);
  }
  shut(reason: LinkCloseReason): void {
    if (!this.#open) return;
    this.#open = false;
    setImmediate(() => this.closed.call(reason));
  }
  async close(): Promise<void> {
    this.shut('closed');
    // The far end sees a disconnect, as when a cable is pulled.
    this.peer?.shut('disconnected');
  }
}

export interface MemoryLinkPairOptions {
  /** Side A (the host) hears its own writes, like a ccTalk single-wire bus. */
  echoHost?: boolean;
}

/** An in-process connected pair: `host` for the driver, `device` for the simulator. */
export function createMemoryLinkPair(options: MemoryLinkPairOptions = {}): { host: ByteLink; device: ByteLink } {
  const host = new MemoryLink(options.echoHost ?? false);
  const device = new MemoryLink(false);
  host.peer = device;
  device.peer = host;
  return { host, device };
}

export interface SerialLinkOptions {
  path: string;
  baudRate: number;
  dataBits?: 8 | 7;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
}

/**
 * Opens a serial port (or a pty) as a ByteLink. Never calls SerialPort.list():
 * it needs udevadm, which kiosks and CI machines may lack.
 */
export async function openSerialLink(options: SerialLinkOptions): Promise<ByteLink> {
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({
    path: options.path,
    baudRate: options.baudRate,
    dataBits: options.dataBits ?? 8,
    parity: options.parity ?? 'none',
    stopBits: options.stopBits ?? 1,
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) => {
    port.open((error) =>
      error
        ? reject(new DeviceError(DeviceErrorCode.linkClosed, `cannot open ${options.path}: ${error.message}`, 'checkConnection', { cause: error }))
        : resolve(),
    );
  });
  const data = new Listeners<[Buffer]>();
  const closed = new Listeners<[LinkCloseReason]>();
  let open = true;
  let closing = false;
  port.on('data', (chunk: Buffer) => data.call(chunk));
  port.on('close', (error: (Error & { disconnected?: boolean }) | null) => {
    if (!open) return;
    open = false;
    closed.call(closing ? 'closed' : error?.disconnected ? 'disconnected' : error ? 'error' : 'disconnected');
  });
  port.on('error', () => {
    // Reported through write rejections and 'close'; an unhandled 'error' would kill the process.
  });
  return {
    get isOpen() {
      return open;
    },
    write(bytes: Uint8Array): Promise<void> {
      if (!open) return Promise.reject(new DeviceError(DeviceErrorCode.linkClosed, `${options.path} is closed`, 'checkConnection'));
      return new Promise((resolve, reject) => {
        port.write(Buffer.from(bytes), (error) => {
          if (error) return reject(new DeviceError(DeviceErrorCode.writeFailed, `write to ${options.path} failed: ${error.message}`, 'checkConnection', { cause: error }));
          port.drain((drainError) =>
            drainError
              ? reject(new DeviceError(DeviceErrorCode.writeFailed, `drain on ${options.path} failed: ${drainError.message}`, 'checkConnection', { cause: drainError }))
              : resolve(),
          );
        });
      });
    },
    onData: (listener) => data.add(listener),
    onClose: (listener) => closed.add(listener),
    close(): Promise<void> {
      if (!open) return Promise.resolve();
      closing = true;
      return new Promise((resolve) => port.close(() => resolve()));
    },
  };
}
