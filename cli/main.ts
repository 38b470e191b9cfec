// `nongbao <command>`: one entry for operators, the demo and the tests.
// Each command is loaded only when used, so `simulate` does not start a server.
import { ConfigError } from '@nongbao/server/config';
import { isDatabaseOpenError } from '@nongbao/server/db-errors';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  demo: {
    summary: 'run the demo village: server, one kiosk with simulated devices, the kiosk UI',
    load: async () => (await import('./demo.js')).demoCommand,
  },
  server: {
    summary: 'run the county server (gateway, ledger, office API)',
    load: async () => (await import('./server.js')).serverCommand,
  },
  balance: {
    summary: 'several gateways behind one address (a TCP balancer): balance --listen HOST:PORT --to HOST:PORT,HOST:PORT',
    load: async () => (await import('./balance.js')).balanceCommand,
  },
  'enrol-code': {
    summary: 'create a terminal and issue its one-time enrolment code: enrol-code --terminal-id ID [--village-code V --location TEXT] [--db FILE]',
    load: async () => (await import('./fleet.js')).enrolCodeCommand,
  },
  receipt: {
    summary: 'check a provisional receipt of a payment taken offline: receipt verify "<QR text>" [--db FILE]',
    load: async () => (await import('./fleet.js')).receiptCommand,
  },
  terminal: {
    summary: 'run a kiosk terminal; `terminal enrol --code CODE ...` enrols it first; `terminal revoke --terminal-id ID` revokes one',
    load: async () => (await import('./terminal.js')).terminalCommand,
  },
  prompts: {
    summary: "install a county's recorded kiosk prompts: prompts import DIR [--prompts-dir FOLDER] (checks format, duration, key names; lists missing keys)",
    load: async () => (await import('./prompts.js')).promptsCommand,
  },
  simulate: {
    summary: 'run the policy simulator on a scenario: simulate SCENARIO.json',
    load: async () => (await import('@nongbao/server/policy')).simulateCommand,
  },
  'virtual-card': {
    summary: 'serve a virtual social-security card to pcscd: virtual-card --profile FILE [--slot 0|1]',
    load: async () => (await import('@nongbao/drivers/card')).virtualCardCommand,
  },
  ledger: {
    summary: 'ledger tools: ledger verify [--db FILE|postgres://URL]; ledger migrate --from sqlite:FILE --to postgres://URL',
    load: async () => (await import('@nongbao/server/ledger')).ledgerCommand,
  },
  release: {
    summary: 'release tools: release keygen --name N --out DIR | create --version V --model M --payload PATH --expires ISO --min-version V --out BUNDLE | sign --key KEY BUNDLE | verify --trusted-keys DIR [--threshold 2] [--installed-version V] [--model M] BUNDLE | publish --trusted-keys DIR [--db FILE] BUNDLE',
    load: async () => (await import('./release.js')).releaseCommand,
  },
  'demo-kiosk': {
    summary: 'one demo kiosk with simulated devices against a server (what a release runs in the demo): demo-kiosk --server-url URL --terminal-id ID [--code CODE] [--port 8471]',
    load: async () => (await import('./demo-kiosk.js')).demoKioskCommand,
  },
  kiosk: {
    summary: 'a kiosk under its supervisor: kiosk install --root DIR --trusted-keys DIR --model M BUNDLE | run --root DIR -- terminal ... | status --root DIR',
    load: async () => (await import('./kiosk.js')).kioskCommand,
  },
  chaos: {
    summary: 'prove money exactly once under faults over real processes: chaos --seed N [--terminals K] [--payments P] [--json]; chaos --backlog',
    load: async () => (await import('./chaos.js')).chaosCommand,
  },
  bench: {
    summary: 'run the benchmarks: bench [--quick] [FILTER]',
    load: async () => (await import('./bench.js')).runBench,
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: nongbao <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`nongbao: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await command.load())(rest);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`nongbao ${name}: ${error.message}\n`);
      return 2;
    }
    // issue 15 "Bad input": a --db value that is malformed or unreachable: one line naming it (password hidden).
    if (isDatabaseOpenError(error)) {
      process.stderr.write(`nongbao ${name}: ${error.message}\n`);
      return 2;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      const { address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
      process.stderr.write(
        `nongbao ${name}: cannot listen on ${address ?? ''}:${port ?? ''} (${code === 'EADDRINUSE' ? 'the port is in use' : 'permission denied'}); ` +
          'choose another port with the port options (see the README)\n',
      );
      return 1;
    }
    throw error;
  }
}
