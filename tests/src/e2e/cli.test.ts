// The `nongbao` command as an operator meets it: clear errors that name the
// bad option, and the enrolment steps the README describes.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/demo-process.js';

const run = promisify(execFile);

async function nongbao(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [resolve(REPO_ROOT, 'bin/nongbao.mjs'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the nongbao command', () => {
  it('lists its commands, and refuses an unknown one with exit 2', async () => {
    expect(await nongbao(['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('virtual-card') });
    const unknown = await nongbao(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });

  it('names the option and the bad value when a setting is wrong, from a flag or from the environment', async () => {
    const flag = await nongbao(['demo', '--kiosk-port', 'eighty']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('kioskPort from --kiosk-port');
    expect(flag.stderr).toContain('"eighty"');
    const env = await nongbao(['server'], { NONGBAO_ISSUER_KEY: 'not-hex' });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('issuerKey from NONGBAO_ISSUER_KEY');
    const typo = await nongbao(['demo', '--kiosk-prot', '80']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('--kiosk-prot: unknown option');
  });

  it('says which port is taken instead of crashing when a port is in use', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const taken = await nongbao(['demo', '--data-dir', mkdtempSync(join(tmpdir(), 'nb-cli-port-')), '--server-port', String(port), '--card-path', 'in-process']);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain(`cannot listen on 127.0.0.1:${port} (the port is in use)`);
    } finally {
      blocker.close();
    }
  });

  it('issues a one-time enrolment code, and a terminal that is not enrolled says how to enrol', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nb-cli-'));
    const issued = await nongbao(['enrol-code', '--terminal-id', 'kiosk-cli-01', '--db', join(dir, 'server.sqlite')]);
    expect(issued.code).toBe(0);
    expect(issued.stdout.trim()).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
    const notEnrolled = await nongbao(['terminal', '--server-url', 'http://127.0.0.1:9', '--terminal-id', 'kiosk-cli-01', '--data-dir', join(dir, 'kiosk')]);
    expect(notEnrolled.code).toBe(2);
    expect(notEnrolled.stderr).toContain('nongbao terminal enrol --server-url http://127.0.0.1:9 --terminal-id kiosk-cli-01 --code CODE');
  });
});
