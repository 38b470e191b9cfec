// The agent's answer to an offer the gateway repeats (issue 13 section 3):
// the gateway offers a rollout's version on every connection until it hears
// the outcome, so the new version's first connection, or the old one's
// after a rollback, is offered the version this kiosk switched to. The
// answer must be the supervisor's outcome, never a `downgrade` failure,
// which would end the terminal's place in the rollout and halt a canary's.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { PROTOCOL_VERSION, type UpdateOffer, type UpdateReport } from '@nongbao/protocol';
import type { GatewayLink } from '../uplink.js';
import { UpdateAgent } from './agent.js';
import { KioskRoot } from './layout.js';
import { initialState, withSwitch, writeSupervisorState, type SupervisorState } from './supervisor-state.js';

const ROLLOUT = '01936d3c-1b2a-7cde-8f00-0123456789ab';

function offer(version: string): UpdateOffer {
  return { v: PROTOCOL_VERSION, rolloutId: ROLLOUT, version, model: 'nb-test', bundleSha256: 'a'.repeat(64), bundleSize: 1000, downloadPath: `/updates/v1/bundles/${version}`, token: 'b'.repeat(64) };
}

/** An agent in a process running `runningVersion`, over a kiosk root in `state`; its reports are collected. */
function agentWith(runningVersion: string, state: SupervisorState): { agent: UpdateAgent; reports: UpdateReport[] } {
  const root = new KioskRoot(mkdtempSync(join(tmpdir(), 'nongbao-agent-')));
  root.ensureFolders();
  writeSupervisorState(root, state);
  const reports: UpdateReport[] = [];
  const agent = new UpdateAgent({
    root,
    runningVersion,
    serverUrl: 'http://127.0.0.1:9',
    link: {
      connected: true,
      request: async (_event: string, body: unknown) => {
        reports.push(body as UpdateReport);
        return { ok: true, data: {} };
      },
    } as GatewayLink,
    supervisor: { send: () => undefined, onMessage: () => undefined },
    boundary: { atBoundary: () => false, onChange: () => undefined },
    gatewayConnected: () => true,
    logger: pino({ level: 'silent' }),
  });
  return { agent, reports };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

describe('an offer of a version this kiosk switched to', () => {
  it('is left to the supervisor while that version is on trial', async () => {
    const trial: SupervisorState = { ...initialState('1.0.0'), highestTrusted: '1.1.0', trial: { version: '1.1.0', from: '1.0.0', rolloutId: ROLLOUT, startedAt: new Date().toISOString() } };
    const { agent, reports } = agentWith('1.1.0', trial);
    agent.onOffer(offer('1.1.0'));
    await settle();
    expect(reports).toEqual([]);
    expect(agent.busy).toBe(false);
  });

  it('is answered with the recorded outcome after a rollback, not with a downgrade', async () => {
    const rolledBack = withSwitch({ ...initialState('1.0.0'), highestTrusted: '1.1.0' }, { from: '1.0.0', to: '1.1.0', rolloutId: ROLLOUT, outcome: 'rolled-back', reason: 'health-gate', detail: 'journal: quick_check failed' });
    const { agent, reports } = agentWith('1.0.0', rolledBack);
    agent.onOffer(offer('1.1.0'));
    await settle();
    expect(reports.map((r) => [r.version, r.state, r.reason])).toEqual([['1.1.0', 'rolled-back', 'health-gate']]);
  });

  it('is answered healthy when the kiosk runs that version already (a USB stick got there first)', async () => {
    const byUsb = withSwitch({ ...initialState('1.1.0'), previous: '1.0.0' }, { from: '1.0.0', to: '1.1.0', rolloutId: null, outcome: 'healthy', reason: null, detail: 'passed its health gate' });
    const { agent, reports } = agentWith('1.1.0', { ...byUsb, switches: [] });
    agent.onOffer(offer('1.1.0'));
    await settle();
    expect(reports.map((r) => [r.rolloutId, r.version, r.state])).toEqual([[ROLLOUT, '1.1.0', 'healthy']]);
  });

  it('is still refused as a downgrade when it is below what the kiosk runs', async () => {
    const { agent, reports } = agentWith('1.2.0', { ...initialState('1.2.0'), previous: '1.1.0' });
    agent.onOffer(offer('1.1.0'));
    await settle();
    expect(reports.map((r) => [r.version, r.state, r.reason])).toEqual([['1.1.0', 'failed', 'downgrade']]);
  });
});
