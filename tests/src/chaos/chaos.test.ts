// The chaos run (issue 11 section 7) as `npm test` runs it: a short seeded
// run over real processes (the server, three terminals, their acceptor and
// printer simulators on socat ptys, a proxy per kiosk), with every fault kind
// planned once: kill -9 of a terminal at each step of a payment, of the
// server at each step of a batch, the network cut for a whole payment and
// for the answer only, duplicated and reordered deliveries. It passes only
// when every fault happened and every check held. The same schedule runs a
// second time with two gateway processes on a throwaway PostgreSQL cluster
// behind the TCP balancer (issue 15 section 3).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');
/** Fixed: the same seed replays the same schedule. */
const SEED = 20261205;
const TERMINALS = 3;
/** One payment per fault kind (15): each kind is planned exactly once. */
const PAYMENTS = 15;
/** About a minute on an idle 2-core machine; the suite runs other files beside it. */
const CHAOS_RUN_TIMEOUT_MS = 420_000;

function nongbao(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--max-semi-space-size=32', resolve(REPO_ROOT, 'bin/nongbao.mjs'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

interface Report {
  digest: string;
  passed: boolean;
  uncovered: string[];
  incidents: unknown[];
  visits: { fault: { kind: string }; outcome: { label: string; fired: boolean; detail: string } }[];
  checks: { name: string; passed: boolean; violations: { message: string; causes: string[] }[] }[];
  figures: { terminalRestarts: number; serverRestarts: number; notesStacked: number; engine: string; gateways: number; gatewayConnections: number[] };
}

/** What every passing run shows: each fault happened, each check held, in this order. */
function expectPassed(run: { code: number | null }, report: Report): void {
  const failed = report.checks.filter((c) => !c.passed);
  // On failure, say what and why (the violations name the faults behind them).
  expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
  expect(report.incidents).toEqual([]);
  expect(report.uncovered).toEqual([]);
  const didNotHappen = report.visits.filter((v) => v.fault.kind !== 'none' && !v.outcome.fired).map((v) => `${v.outcome.label}: ${v.outcome.detail}`);
  expect(didNotHappen).toEqual([]);
  expect(report.checks.map((c) => c.name)).toEqual([
    'notes-in-one-transfer',
    'no-payment-twice',
    'books-balance',
    'ledger-verify',
    'cash-box-equals-journal',
    'provisional-receipts-verify',
    'outbox-drained',
  ]);
  expect(report.figures.notesStacked).toBeGreaterThan(0);
  expect(report.passed).toBe(true);
  expect(run.code).toBe(0);
}

describe('nongbao chaos', () => {
  it(
    'keeps money exactly once through every fault kind, over real processes',
    async () => {
      const run = await nongbao(['chaos', '--seed', String(SEED), '--terminals', String(TERMINALS), '--payments', String(PAYMENTS), '--json']);
      const report = JSON.parse(run.stdout) as Report;
      expectPassed(run, report);
      expect(report.figures.serverRestarts).toBe(3);
      expect(report.figures.terminalRestarts).toBe(8);

      // The same seed replays the same schedule.
      const planned = await nongbao(['chaos', '--seed', String(SEED), '--terminals', String(TERMINALS), '--payments', String(PAYMENTS), '--schedule', '--json']);
      expect((JSON.parse(planned.stdout) as { digest: string }).digest).toBe(report.digest);
    },
    CHAOS_RUN_TIMEOUT_MS,
  );

  it(
    'keeps money exactly once with two gateways on PostgreSQL behind the balancer, either killed with SIGKILL mid-run (issue 15 section 3)',
    async () => {
      const run = await nongbao(['chaos', '--seed', String(SEED), '--terminals', String(TERMINALS), '--payments', String(PAYMENTS), '--db', 'postgres', '--gateways', '2', '--json']);
      const report = JSON.parse(run.stdout) as Report;
      expectPassed(run, report);
      expect(report.figures).toMatchObject({ engine: 'postgres', gateways: 2, serverRestarts: 3 });
      // Both gateways served kiosks (the balancer spread the connections, and reconnections after each kill).
      expect(report.figures.gatewayConnections).toHaveLength(2);
      expect(report.figures.gatewayConnections.every((n) => n > 0)).toBe(true);
      // Each server kill names the gateway that held the kiosk's connection.
      const serverKills = report.visits.filter((v) => v.fault.kind === 'kill-server');
      expect(serverKills.map((v) => v.outcome.detail)).toEqual(serverKills.map(() => expect.stringMatching(/^gateway[12]: killed at gateway\./)));
    },
    CHAOS_RUN_TIMEOUT_MS,
  );
});
