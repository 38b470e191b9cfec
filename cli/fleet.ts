// Fleet commands for the county office, on the server machine (they open the
// server's database, which SQLite lets them do while the server runs):
//   nongbao enrol-code --terminal-id ID [--village-code V --location TEXT]
//   nongbao terminal revoke --terminal-id ID
//   nongbao receipt verify "<QR text>"
import { z } from 'zod';
import { loadConfig, parseFlags } from '@nongbao/server/config';
import { openServerDatabase } from '@nongbao/server/db-open';
import { TerminalRegistry, checkProvisionalReceipt } from '@nongbao/server';

const terminalIdField = z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'lowercase letters, digits and dashes, 3-64 long');
const dbField = z.string().min(1).default('data/nongbao.sqlite');

const enrolCodeSchema = z.object({
  db: dbField,
  terminalId: terminalIdField,
  villageCode: z.string().regex(/^[0-9A-Za-z-]{1,32}$/, '1-32 letters, digits or dashes').optional(),
  location: z.string().trim().min(1).max(200).optional(),
});

export async function enrolCodeCommand(argv: string[]): Promise<number> {
  const config = loadConfig(enrolCodeSchema, argv);
  const db = await openServerDatabase(config.db);
  try {
    const terminals = new TerminalRegistry(db);
    const { code } = terminals.createTerminal({ terminalId: config.terminalId, villageCode: config.villageCode ?? null, location: config.location ?? null }, 'cli');
    process.stdout.write(`${code}\n`);
    process.stderr.write(`one-time enrolment code for ${config.terminalId} (valid 7 days): on the kiosk run\n  nongbao terminal enrol --server-url URL --terminal-id ${config.terminalId} --code ${code}\n`);
  } finally {
    db.close();
  }
  return 0;
}

const revokeSchema = z.object({ db: dbField, terminalId: terminalIdField });

/** `nongbao terminal revoke --terminal-id ID`: refused at its next handshake, dropped by the gateway within seconds. */
export async function revokeCommand(argv: string[]): Promise<number> {
  const config = loadConfig(revokeSchema, argv);
  const db = await openServerDatabase(config.db);
  try {
    if (!new TerminalRegistry(db).revoke(config.terminalId)) {
      process.stderr.write(`nongbao terminal revoke: no terminal ${config.terminalId} is enrolled in ${config.db}\n`);
      return 1;
    }
    process.stderr.write(`terminal ${config.terminalId} revoked: its next connection is refused, and a connected one is dropped\n`);
  } finally {
    db.close();
  }
  return 0;
}

const receiptSchema = z.object({ db: dbField });

function yuan(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

/**
 * `nongbao receipt verify "<QR text>"`: exit 0 when the receipt is the
 * kiosk's (saying whether the payment reached the ledger), 1 when it is not
 * (altered, another key, unknown kiosk, or the ledger holds other content),
 * 2 when the text is not a receipt.
 */
export async function receiptCommand(argv: string[]): Promise<number> {
  const { positional } = parseFlags(argv);
  if (positional[0] !== 'verify' || positional.length !== 2) {
    process.stderr.write('usage: nongbao receipt verify "<QR text>" [--db FILE]\n');
    return 2;
  }
  const config = loadConfig(receiptSchema, argv.filter((a) => !positional.includes(a)));
  const db = await openServerDatabase(config.db);
  try {
    const check = checkProvisionalReceipt(db, new TerminalRegistry(db), positional[1]!);
    if (!check.ok) {
      process.stdout.write(`NOT VALID (${check.problem}): ${check.detail}\n`);
      return check.problem === 'unknown-terminal' || check.problem === 'bad-signature' ? 1 : 2;
    }
    const r = check.receipt;
    process.stdout.write(`valid: signed by ${r.terminalId}; payment ${r.paymentId}, ${yuan(r.amountFen)} yuan for ${r.year}, ${r.maskedCitizenNumber}, taken ${r.paidAt}\n`);
    if (check.ledger === null) {
      process.stdout.write('not in the ledger yet: the kiosk has not delivered it\n');
      return 0;
    }
    if (!check.ledger.matches) {
      process.stdout.write(`MISMATCH: the ledger holds payment ${r.paymentId} with other content than this receipt\n`);
      return 1;
    }
    const as = check.ledger.booking === 'credit' ? `as the person's credit (${check.ledger.reason ?? ''})` : 'as a contribution';
    process.stdout.write(`in the ledger since ${check.ledger.receivedAt}, ${as}\n`);
    return 0;
  } finally {
    db.close();
  }
}
