// The uplink's reconnection to a lost gateway (issue 11 section 8): a kiosk's
// backlog is to be drained within 10 s of a gateway restart, so the pause
// between two attempts, socket.io's jitter included, is bounded well below.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Uplink } from './uplink.js';

/** Of the 10 s a restart's drain may take, what the last kiosk may spend before it tries again. */
const LONGEST_PAUSE_BOUND_MS = 7_500;

describe('Uplink reconnection', () => {
  it('pauses at most 7.5 s between attempts to reach a lost gateway, jitter included', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    // Never started: the manager's settings are what is checked, no connection is made.
    const uplink = new Uplink({ serverUrl: 'http://127.0.0.1:9', terminalId: 'kiosk-reconnect-01', privateKey, logger: pino({ level: 'silent' }) });
    expect(uplink.longestReconnectPauseMs).toBeGreaterThan(0);
    expect(uplink.longestReconnectPauseMs).toBeLessThanOrEqual(LONGEST_PAUSE_BOUND_MS);
  });
});
