// One live connection per terminal identity (issue 10 section 6). A second
// connection with the same terminal id is either the same kiosk reconnecting
// while the server still holds its old, half-dead connection (a network
// blip, a restart), or a copy of the kiosk's key in use elsewhere. Either
// way the newer connection stays and the older one is disconnected: the
// kiosk that just proved its key (a fresh signed handshake) is the one that
// is there, and two kiosks answering as one would interleave their money
// events. The replacement is logged as a warning, since a copied key shows
// itself this way. socket.io's client does not reconnect after a server-side
// disconnect, so the older one stays off until it is restarted.
import type { Logger } from 'pino';

/** What this module needs of a socket.io socket. */
export interface TerminalConnection {
  readonly id: string;
  readonly connected: boolean;
  readonly handshake: { address: string };
  disconnect(close?: boolean): unknown;
  once(event: 'disconnect', listener: () => void): unknown;
}

export class TerminalConnections {
  /** The live connection per terminal id: at most one per enrolled terminal. */
  private readonly live = new Map<string, TerminalConnection>();

  /** Makes `socket` the terminal's connection, disconnecting an older one still open; forgets it when it ends. */
  adopt(terminalId: string, socket: TerminalConnection, log: Logger): void {
    const older = this.live.get(terminalId);
    // The newer one is recorded first, so that the older one's end (below) does not forget it.
    this.live.set(terminalId, socket);
    socket.once('disconnect', () => {
      if (this.live.get(terminalId) === socket) this.live.delete(terminalId);
    });
    if (older === undefined || older === socket || !older.connected) return;
    log.warn({
      event: 'terminal.connection_replaced',
      olderSocketId: older.id,
      olderAddress: older.handshake.address,
      newerSocketId: socket.id,
      newerAddress: socket.handshake.address,
    });
    older.disconnect(true);
  }
}
