// Runs a registry input schema and turns the first problem into a specific
// RegistryError naming the field (issue 5 "Bad input": "a clear, specific error").
import type { z } from 'zod';
import { RegistryError, type RegistryErrorCode } from './errors.js';

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out;
}

function codeForField(field: string): RegistryErrorCode {
  const last = field.replace(/\[\d+\]$/, '').split('.').pop() ?? '';
  if (last === 'citizenNumber' || last === 'members') return 'invalid-citizen-number';
  if (last.endsWith('Fen')) return 'amount-not-in-fen';
  if (last === 'id') return 'invalid-id';
  if (last === 'name') return 'invalid-name';
  if (/(Date|On|At|since)$/.test(last)) return 'invalid-date';
  return 'invalid-input';
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  // An unknown field is named itself (e.g. `registeredOn`, which issue 10 replaced), not its object.
  const unknown = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const field = pathText(unknown === undefined ? issue.path : [...issue.path, unknown]);
  const code = unknown === undefined ? codeForField(field) : 'invalid-input';
  const message = unknown === undefined ? issue.message : 'unknown field';
  throw new RegistryError(code, `${field || '(input)'}: ${message}`, field || undefined, {
    issues: parsed.error.issues.slice(0, 20).map((i) => ({ field: pathText(i.path), message: i.message })),
  });
}
