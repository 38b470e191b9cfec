// `nongbao <command>`: one entry for operators, the demo and the tests.
// Each command is loaded only when used, so `simulate` does not start a server.
import { ConfigError } from '@nongbao/server/config';

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
  simulate: {
    summary: 'run the policy simulator on a scenario: simulate SCENARIO.json',
    load: async () => (await import('@nongbao/server/policy')).simulateCommand,
  },
  'virtual-card': {
    summary: 'serve a virtual social-security card to pcscd: virtual-card --profile FILE [--slot 0|1]',
    load: async () => (await import('@nongbao/drivers/card')).virtualCardCommand,
  },
  ledger: {
    summary: 'ledger tools: ledger verify [--db FILE]',
    load: async () => (await import('@nongbao/server/ledger')).ledgerCommand,
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
