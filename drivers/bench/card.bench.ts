// Card present -> identity parsed, and PIN verify, through pcscd + vpcd
// (issue #3 §5). Baseline in the same run: one SELECT EF round trip (a single
// APDU exchange through pcsclite -> pcscd -> vpcd -> virtual card and back).
// Target: median identity read <= 10 x median SELECT round trip.
//
// Takes the 'pcsc' machine lock and uses the test suite's global setup to
// start pcscd if none runs (stopped afterwards when no one else uses it).
import { performance } from 'node:perf_hooks';
import {
  PcscCardReader,
  SocialSecurityCardApp,
  VirtualCard,
  citizenNumberCheckChar,
  makeVirtualCardProfile,
  runVpcdClient,
  selectFile,
  vpcdReaderName,
  EF_CARD_DATA,
  type CardInsertedEvent,
} from '../src/card/index.js';
import { acquireMachineLock } from '../../tests/src/support/machine-lock.js';
import { setup as ensurePcscd, teardown as releasePcscd } from '../../tests/src/global-setup.js';

interface BenchMeasurement {
  name: string;
  value: number;
  unit: string;
}
interface BenchResult {
  name: string;
  measurements: BenchMeasurement[];
  baselines: BenchMeasurement[];
  targets: Array<{ description: string; met: boolean }>;
  notes?: string[];
}

const INSERTIONS = 200;
const QUICK_INSERTIONS = 20;
const CARD_EVENT_TIMEOUT_MS = 10_000;
const SLOT = 0;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

function once<T>(reader: PcscCardReader, event: 'card-inserted' | 'card-removed'): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reader.off(event, listener);
      reject(new Error(`no ${event} within ${CARD_EVENT_TIMEOUT_MS} ms`));
    }, CARD_EVENT_TIMEOUT_MS);
    const listener = (value: unknown): void => {
      clearTimeout(timer);
      reader.off(event, listener);
      resolve(value as T);
    };
    reader.on(event, listener);
  });
}

export default async function cardBench(ctx: { quick: boolean }): Promise<BenchResult> {
  const insertions = ctx.quick ? QUICK_INSERTIONS : INSERTIONS;
  const release = await acquireMachineLock('pcsc');
  // Registers as a pcscd user like a test run does, so a parallel run's teardown does not stop it under us.
  await ensurePcscd();
  const reader = new PcscCardReader({ readerFilter: (name) => name === vpcdReaderName(SLOT) });
  const first17 = '62010219520411031';
  const profile = makeVirtualCardProfile({ citizenNumber: first17 + citizenNumberCheckChar(first17), name: '王桂兰', pin: '482915', protocol: 't0' });
  const identityMs: number[] = [];
  const verifyMs: number[] = [];
  const selectMs: number[] = [];
  const detectMs: number[] = [];
  try {
    await reader.start();
    for (let i = 0; i < insertions; i += 1) {
      const card = new VirtualCard(profile);
      const controller = new AbortController();
      const inserted = once<CardInsertedEvent>(reader, 'card-inserted');
      const insertedAt = performance.now();
      const serving = runVpcdClient(card, { signal: controller.signal });
      const { transport } = await inserted;
      const present = performance.now();
      detectMs.push(present - insertedAt);
      const app = new SocialSecurityCardApp(transport);
      await app.readIdentity();
      const identityDone = performance.now();
      await app.verifyPin('482915');
      const verified = performance.now();
      await transport.transmit(selectFile(EF_CARD_DATA));
      const selected = performance.now();
      identityMs.push(identityDone - present);
      verifyMs.push(verified - identityDone);
      selectMs.push(selected - verified);
      const removed = once(reader, 'card-removed');
      controller.abort();
      await serving;
      await removed;
    }
  } finally {
    await reader.stop();
    await releasePcscd();
    release();
  }
  const selectMedian = quantile(selectMs, 0.5);
  const identityMedian = quantile(identityMs, 0.5);
  return {
    name: 'card',
    baselines: [
      { name: 'one SELECT round trip, median', value: selectMedian, unit: 'ms' },
      { name: 'one SELECT round trip, p99', value: quantile(selectMs, 0.99), unit: 'ms' },
    ],
    measurements: [
      { name: 'card present -> identity parsed, median', value: identityMedian, unit: 'ms' },
      { name: 'card present -> identity parsed, p99', value: quantile(identityMs, 0.99), unit: 'ms' },
      { name: 'PIN verify, median', value: quantile(verifyMs, 0.5), unit: 'ms' },
      { name: 'PIN verify, p99', value: quantile(verifyMs, 0.99), unit: 'ms' },
      { name: 'vpcd connect -> card-inserted (pcscd poll), median', value: quantile(detectMs, 0.5), unit: 'ms' },
      { name: 'identity / SELECT round trips', value: identityMedian / selectMedian, unit: 'x' },
      { name: 'insertions', value: insertions, unit: 'cards' },
    ],
    targets: [{ description: 'identity median <= 10 x one SELECT round trip (median)', met: identityMedian <= 10 * selectMedian }],
    notes: [
      'T=0 virtual card: identity = SELECT AID (+GET RESPONSE), SELECT EF05, READ RECORD all (+6C resend), SELECT EF06, READ RECORD all (+6C resend) = 8 APDU round trips.',
      '"card present" is the card-inserted event (card connected); detection time is pcscd polling vpcd (~450 ms) and is reported separately.',
    ],
  };
}
