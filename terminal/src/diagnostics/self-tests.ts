// Staff self-tests (issue 13 section 1): print a test page, poll the bill
// acceptor, read the card in the reader, a round trip to the gateway. Each
// ends in a plain result: pass, or fail with the error register's code
// (protocol errors.ts) whose words and action the staff screen shows. One
// runs at a time; a failure also goes to the recent errors.
import type { Logger } from 'pino';
import { DEVICE_ERROR_CODES, TERMINAL_ERROR_CODES, gatewayErrorCode, registeredCode, type ProtocolErrorCode } from '@nongbao/protocol';
import type { SelfTestName, SelfTestResult } from '@nongbao/protocol/maintenance';
import { ReceiptBuilder } from '@nongbao/drivers/escpos';
import type { CashDevices } from '../payment.js';
import type { InsertedCard } from '../session.js';
import { CardReadError } from '../session.js';
import { shanghaiTime } from '../receipts.js';
import type { RecentErrors } from './recent-errors.js';

/** Deadline for the printer self-test: a status query and a short page. */
export const SELF_TEST_PRINT_TIMEOUT_MS = 15_000;
/** Deadline for one simple poll of the acceptor (retries of lost frames included). */
export const SELF_TEST_POLL_TIMEOUT_MS = 3_000;

/** The gateway round trip's outcome (status.ts `probe`). */
export type GatewayProbe = { ok: true; roundTripMs: number; clockDriftMs: number } | { ok: false; code: ProtocolErrorCode | 'not-connected' };

export interface SelfTestDeps {
  cash: CashDevices | undefined;
  card: () => InsertedCard | null;
  gateway: () => Promise<GatewayProbe>;
  errors: RecentErrors;
  terminalId: string;
  softwareVersion: string;
  logger: Logger;
  /** Called after every result (the staff screen shows it at once). */
  onResult: () => void;
}

type Outcome = { pass: true; detail: string } | { pass: false; code: number; detail: string };

const fail = (code: number, detail: string): Outcome => ({ pass: false, code, detail });
const failWith = (error: unknown, fallback: number): Outcome =>
  fail(registeredCode(error) ?? (error instanceof CardReadError && error.code !== null ? error.code : fallback), error instanceof Error ? error.message : String(error));

export class SelfTests {
  private running: SelfTestName | null = null;
  private readonly latest = new Map<SelfTestName, SelfTestResult>();

  constructor(private readonly deps: SelfTestDeps) {}

  /** The latest result of each test run since start, in SELF_TESTS order of first run. */
  results(): SelfTestResult[] {
    return [...this.latest.values()];
  }

  async run(test: SelfTestName): Promise<{ ok: true; result: SelfTestResult } | { ok: false; reason: 'self-test-running' }> {
    if (this.running) return { ok: false, reason: 'self-test-running' };
    this.running = test;
    const startedMs = Date.now();
    try {
      const outcome = await this.outcome(test);
      const result: SelfTestResult = {
        test,
        result: outcome.pass ? 'pass' : 'fail',
        code: outcome.pass ? null : outcome.code,
        detail: outcome.detail.slice(0, 200),
        at: new Date().toISOString(),
        durationMs: Date.now() - startedMs,
      };
      if (!outcome.pass) this.deps.errors.record(outcome.code, `selfTest.${test}`, outcome.detail);
      this.latest.set(test, result);
      this.deps.logger.info({ event: 'staff.self_test', test, result: result.result, code: result.code, durationMs: result.durationMs });
      return { ok: true, result };
    } finally {
      this.running = null;
      this.deps.onResult();
    }
  }

  private outcome(test: SelfTestName): Promise<Outcome> {
    switch (test) {
      case 'printer':
        return this.printer();
      case 'acceptor':
        return this.acceptor();
      case 'card':
        return this.card();
      case 'gateway':
        return this.gateway();
    }
  }

  private async printer(): Promise<Outcome> {
    const printer = this.deps.cash?.printer;
    if (!printer) return fail(TERMINAL_ERROR_CODES.deviceAbsent, 'no receipt printer');
    try {
      const status = await printer.queryStatus({ timeoutMs: SELF_TEST_PRINT_TIMEOUT_MS });
      const page = new ReceiptBuilder()
        .title('自检 测试页')
        .separator()
        .row('终端', this.deps.terminalId)
        .row('软件版本', this.deps.softwareVersion)
        .row('时间', shanghaiTime(new Date().toISOString()))
        .text('打印正常 / Printer OK', { align: 'center' })
        .feed(2)
        .build();
      await printer.print(page, { timeoutMs: SELF_TEST_PRINT_TIMEOUT_MS });
      return { pass: true, detail: `printed ${page.length} bytes; paper ${status.paper}` };
    } catch (error) {
      return failWith(error, DEVICE_ERROR_CODES.hardwareError);
    }
  }

  private async acceptor(): Promise<Outcome> {
    const acceptor = this.deps.cash?.acceptor;
    if (!acceptor) return fail(TERMINAL_ERROR_CODES.deviceAbsent, 'no bill acceptor');
    try {
      await acceptor.poll({ timeoutMs: SELF_TEST_POLL_TIMEOUT_MS });
    } catch (error) {
      return failWith(error, DEVICE_ERROR_CODES.hardwareError);
    }
    const s = acceptor.status();
    const detail = `answered; stacker ${s.stacker}${s.jammed ? ', jammed' : ''}`;
    // It answers, but could not take a note (the rule enable() applies): say why.
    if (s.jammed) return fail(DEVICE_ERROR_CODES.jammed, detail);
    if (s.stacker === 'full') return fail(DEVICE_ERROR_CODES.stackerFull, detail);
    if (s.stacker === 'removed') return fail(DEVICE_ERROR_CODES.stackerRemoved, detail);
    return { pass: true, detail };
  }

  private async card(): Promise<Outcome> {
    const card = this.deps.card();
    if (!card) return fail(TERMINAL_ERROR_CODES.noCardInserted, 'no card in the reader');
    try {
      const holder = await card.readHolder();
      return { pass: true, detail: `read card ${holder.cardNumber.slice(0, 2)}****${holder.cardNumber.slice(-2)} (${holder.kind}${holder.verified ? ', verified' : ''})` };
    } catch (error) {
      return failWith(error, TERMINAL_ERROR_CODES.selfTestFailed);
    }
  }

  private async gateway(): Promise<Outcome> {
    const probe = await this.deps.gateway();
    if (probe.ok) return { pass: true, detail: `round trip ${probe.roundTripMs} ms; clock drift ${probe.clockDriftMs} ms` };
    if (probe.code === 'not-connected') return fail(TERMINAL_ERROR_CODES.serverUnreachable, 'not connected to the gateway');
    return fail(gatewayErrorCode(probe.code), `the gateway answered ${probe.code}`);
  }
}
