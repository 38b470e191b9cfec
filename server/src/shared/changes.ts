// What changed that connected terminals must hear about (issue 11 section 6:
// "the server pushes policy and village data to connected terminals when
// they change"). The office API and the CLI-facing services emit; the
// gateway listens and pushes. With several gateway processes the socket.io
// adapter carries the push to whichever process holds the terminal.
import { EventEmitter } from 'node:events';

export interface ChangeEvents {
  /** A terminal's site or offline limits changed. */
  'terminal-config': [terminalId: string];
  /** A village's data (name, agent) changed: every kiosk of the village. */
  village: [villageCode: string];
  /** An operator settled an outbox halt. */
  'halt-settled': [terminalId: string, eventId: string];
  /** A terminal was revoked: drop its connection now. */
  'terminal-revoked': [terminalId: string];
  /** A rollout reached these terminals: offer them the release (issue 13 section 3). */
  'update-offer': [terminalIds: string[]];
  /** A rollout was halted: withdraw its offer from these terminals. */
  'update-withdraw': [rolloutId: string, terminalIds: string[]];
  /**
   * A terminal's connection was accepted (by this gateway or another one):
   * any other connection of the terminal is dropped (issue 10 section 6, one
   * connection per terminal identity, across gateways since issue 15).
   */
  'terminal-connected': [terminalId: string, connectionId: string];
}

export type ChangeName = keyof ChangeEvents;

/** Every change, for relaying them between gateway processes (gateway/cluster.ts); a new change must be listed. */
const CHANGE_NAME_SET: Record<ChangeName, true> = {
  'terminal-config': true,
  village: true,
  'halt-settled': true,
  'terminal-revoked': true,
  'update-offer': true,
  'update-withdraw': true,
  'terminal-connected': true,
};
export const CHANGE_NAMES = Object.keys(CHANGE_NAME_SET) as ChangeName[];

export function isChangeName(name: unknown): name is ChangeName {
  return typeof name === 'string' && Object.hasOwn(CHANGE_NAME_SET, name);
}

export class ServerChanges extends EventEmitter<ChangeEvents> {}
