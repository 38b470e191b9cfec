// Serial devices benchmark (issue #4 §6): ccTalk poll round trip and
// credit-to-event latency over a socat pty, receipt render time. Baselines
// from the same run: a raw write/echo round trip over the same pty pair, and
// PNG-encoding a blank receipt-sized image. Targets are ratios to them.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { PNG } from 'pngjs';
import type { BenchResult } from '../../cli/bench.js';
import { CctalkBillAcceptor, BillValidatorSimulator, CCTALK_BAUD_RATE, CctalkTransport, Header, openSerialLink } from '../src/cctalk/index.js';
import { buildReceipt, renderReceipt } from '../src/escpos/index.js';
import type { ByteLink } from '../src/device/link.js';

const SOCAT_START_TIMEOUT_MS = 10_000;
const CREDIT_TIMEOUT_MS = 5_000;
const POLL_INTERVAL_MS = 100; // the low end of issue #4's 100-200 ms

function stats(samples: number[]): { median: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p99: at(0.99) };
}

async function withPty<T>(run: (host: string, device: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'nongbao-bench-'));
  const host = join(dir, 'A');
  const device = join(dir, 'B');
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${device}`], { stdio: 'ignore' });
  const exited = new Promise((resolve) => socat.once('exit', resolve));
  try {
    const deadline = Date.now() + SOCAT_START_TIMEOUT_MS;
    while (!(existsSync(host) && existsSync(device))) {
      if (Date.now() > deadline) throw new Error('socat did not start');
      await new Promise((r) => setTimeout(r, 10));
    }
    return await run(host, device);
  } finally {
    socat.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

async function echoRoundTrips(host: ByteLink, device: ByteLink, count: number): Promise<number[]> {
  const offEcho = device.onData((chunk) => void device.write(chunk));
  const frame = Buffer.from('280001FED9', 'hex');
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    let received = 0;
    const start = performance.now();
    await new Promise<void>((resolve) => {
      const off = host.onData((chunk) => {
        received += chunk.length;
        if (received >= frame.length) {
          off();
          resolve();
        }
      });
      void host.write(frame);
    });
    samples.push(performance.now() - start);
  }
  offEcho();
  return samples;
}

export default async function bench(ctx: { quick: boolean }): Promise<BenchResult[]> {
  const rounds = ctx.quick ? 100 : 500;
  const notes = ctx.quick ? 8 : 30;
  const renders = ctx.quick ? 10 : 50;
  const log = pino({ level: 'silent' });

  const serial = await withPty(async (hostPath, devicePath) => {
    const host = await openSerialLink({ path: hostPath, baudRate: CCTALK_BAUD_RATE });
    const device = await openSerialLink({ path: devicePath, baudRate: CCTALK_BAUD_RATE });
    const echo = stats(await echoRoundTrips(host, device, rounds));

    const simulator = new BillValidatorSimulator({ link: device });
    const transport = new CctalkTransport({ link: host, mode: 'simple8', hostAddress: 1, deviceAddress: 40, echo: false, log });
    const pollSamples: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const start = performance.now();
      await transport.request(Header.readBufferedBillEvents, Buffer.alloc(0), { what: 'bench poll' });
      pollSamples.push(performance.now() - start);
    }
    transport.dispose();
    const poll = stats(pollSamples);

    let creditAt: (() => void) | undefined;
    const driver = new CctalkBillAcceptor({ link: host, pollIntervalMs: POLL_INTERVAL_MS, escrowHandler: async () => 'stack', log });
    driver.on('bill', (e) => e.type === 'credit' && creditAt?.());
    await driver.open();
    await driver.enable([5000]);
    const creditSamples: number[] = [];
    for (let i = 0; i < notes; i++) {
      const credited = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no credit')), CREDIT_TIMEOUT_MS);
        creditAt = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      const start = performance.now();
      await simulator.insertNote(50);
      await credited;
      creditSamples.push(performance.now() - start);
    }
    await driver.close();
    simulator.stop();
    await device.close();
    return { echo, poll, credit: stats(creditSamples) };
  });

  const receipt = buildReceipt([
    { kind: 'title', text: '城乡居民养老保险缴费凭证' },
    { kind: 'separator' },
    { kind: 'row', key: '姓名', value: '吉𠮷' },
    { kind: 'row', key: '社会保障号码', value: '110101********1234' },
    { kind: 'row', key: '缴费年度', value: '2026' },
    { kind: 'row', key: '缴费档次', value: '300 元' },
    { kind: 'row', key: '实收金额', value: '300.00 元' },
    { kind: 'row', key: '流水号', value: '0190ab12-cd34' },
    { kind: 'separator' },
    { kind: 'qr', payload: 'https://nongbao.example/r/0190ab12-cd34-7ef0-8123-456789abcdef' },
    { kind: 'text', text: '请妥善保管本凭证', style: { align: 'center' } },
  ]);
  const renderSamples: number[] = [];
  let heightDots = 0;
  for (let i = 0; i < renders; i++) {
    const start = performance.now();
    heightDots = renderReceipt(receipt).heightDots;
    renderSamples.push(performance.now() - start);
  }
  const pngSamples: number[] = [];
  for (let i = 0; i < renders; i++) {
    const start = performance.now();
    const png = new PNG({ width: 384, height: heightDots });
    png.data.fill(255);
    PNG.sync.write(png);
    pngSamples.push(performance.now() - start);
  }
  const render = stats(renderSamples);
  const png = stats(pngSamples);

  const pollRatio = serial.poll.median / serial.echo.median;
  const creditInPolls = serial.credit.p99 / POLL_INTERVAL_MS;
  const renderRatio = render.median / png.median;
  return [
    {
      name: 'serial-cctalk',
      baselines: [
        { name: 'raw 5-byte echo round trip over the pty, median', value: serial.echo.median, unit: 'ms' },
        { name: 'raw 5-byte echo round trip over the pty, p99', value: serial.echo.p99, unit: 'ms' },
      ],
      measurements: [
        { name: 'ccTalk poll (159) round trip, median', value: serial.poll.median, unit: 'ms' },
        { name: 'ccTalk poll (159) round trip, p99', value: serial.poll.p99, unit: 'ms' },
        { name: 'poll round trip / raw echo (median)', value: pollRatio, unit: 'x' },
        { name: `note inserted -> credit event (escrow, poll ${POLL_INTERVAL_MS} ms), median`, value: serial.credit.median, unit: 'ms' },
        { name: `note inserted -> credit event (escrow, poll ${POLL_INTERVAL_MS} ms), p99`, value: serial.credit.p99, unit: 'ms' },
        { name: 'credit p99 / poll interval', value: creditInPolls, unit: 'x' },
      ],
      targets: [
        { description: 'ccTalk poll round trip median <= 10x the raw pty echo', met: pollRatio <= 10 },
        // Escrow seen on one poll, stack routed, credit seen on the next: two intervals plus exchanges.
        { description: 'note -> credit p99 <= 3 poll intervals', met: creditInPolls <= 3 },
      ],
      notes: [`${rounds} round trips, ${notes} notes; simulator in-process on the far end of the pty`],
    },
    {
      name: 'serial-receipt-render',
      baselines: [{ name: `PNG encode of a blank 384x${heightDots} image, median`, value: png.median, unit: 'ms' }],
      measurements: [
        { name: 'render a contribution receipt (text + raster line + QR) to text and PNG, median', value: render.median, unit: 'ms' },
        { name: 'render receipt, p99', value: render.p99, unit: 'ms' },
        { name: 'render / blank PNG encode (median)', value: renderRatio, unit: 'x' },
      ],
      targets: [{ description: 'receipt render median <= 10x encoding a blank PNG of the same size', met: renderRatio <= 10 }],
      notes: [`${renders} renders`],
    },
  ];
}
