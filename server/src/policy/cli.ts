// `nongbao simulate SCENARIO.json` (POLICY.md "The policy simulator (a public
// contract)"): prints the result as JSON on stdout and exits 0; a malformed
// scenario (not JSON, a wrong or missing field) or an unreadable file exits 2
// with a message on stderr naming the field or the file. `-` reads stdin.
import { readFile, stat } from 'node:fs/promises';
import { isScenarioError } from './errors.js';
import { MAX_SCENARIO_CHARS, parseScenario } from './scenario.js';
import { simulate } from './simulate.js';

export const EXIT_OK = 0;
/** Internal failure (a bug): the scenario was valid but simulating it failed. */
export const EXIT_FAILURE = 1;
/** Usage error, unreadable file or malformed scenario. */
export const EXIT_BAD_INPUT = 2;

/** Reading stdin gives up after this long without end of input. */
export const STDIN_TIMEOUT_MS = 30_000;

export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  stdin?: NodeJS.ReadableStream;
}

const USAGE = 'usage: nongbao simulate SCENARIO.json   (- reads the scenario from stdin)\n';

async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  return await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => finish(new Error(`no end of input within ${STDIN_TIMEOUT_MS} ms`)), STDIN_TIMEOUT_MS);
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      stream.removeAllListeners('data');
      if (error) reject(error);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    stream.on('data', (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > MAX_SCENARIO_CHARS) finish(new Error(`input longer than ${MAX_SCENARIO_CHARS} bytes`));
      else chunks.push(buffer);
    });
    stream.once('end', () => finish());
    stream.once('error', (error: Error) => finish(error));
  });
}

async function readScenarioText(path: string, io: CommandIo): Promise<string> {
  if (path === '-') return await readStdin(io.stdin ?? process.stdin);
  const info = await stat(path);
  if (!info.isFile()) throw new Error('not a regular file');
  if (info.size > MAX_SCENARIO_CHARS) throw new Error(`larger than ${MAX_SCENARIO_CHARS} bytes`);
  return await readFile(path, 'utf8');
}

/**
 * Runs `nongbao simulate`. `argv` is what follows `simulate` (a leading
 * `simulate` is also accepted, so the dispatcher may pass either).
 * Resolves to the exit code; never rejects.
 */
export async function simulateCommand(argv: string[], io: CommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const args = argv[0] === 'simulate' && argv.length > 1 ? argv.slice(1) : argv;
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const [path, ...extra] = args;
  if (path === undefined || extra.length > 0) {
    io.stderr.write(USAGE);
    return EXIT_BAD_INPUT;
  }
  let text: string;
  try {
    text = await readScenarioText(path, io);
  } catch (error) {
    io.stderr.write(`nongbao simulate: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_BAD_INPUT;
  }
  try {
    const result = simulate(parseScenario(text));
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return EXIT_OK;
  } catch (error) {
    if (isScenarioError(error)) {
      const lines = error.issues.map((issue) => `  ${issue.path}: ${issue.message}\n`).join('');
      io.stderr.write(`nongbao simulate: ${path} is not a valid scenario:\n${lines}`);
      return EXIT_BAD_INPUT;
    }
    io.stderr.write(`nongbao simulate: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_FAILURE;
  }
}
