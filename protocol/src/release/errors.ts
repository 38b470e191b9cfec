// Errors and refusals of release bundles (issue 13 section 3). A bundle that
// must not be installed is a *refusal*, named by one reason of a closed union
// in order of precedence: when several apply, the first is given. The CLI
// prints it, the kiosk reports it, the server records it. Everything else
// that stops a release tool (an unreadable key file, no trusted keys) is an
// operating error. One class, numeric codes 7000-7099, predicates.

/**
 * Why a bundle is refused, most fundamental first: a bundle that cannot be
 * read says nothing else; signatures are checked before anything the
 * manifest claims is believed; the payload is read only after the manifest
 * is trusted, and its archive only after its hash matched.
 */
export const RELEASE_REFUSALS = [
  'malformed',
  'bad-signature',
  'too-few-signatures',
  'expired',
  'wrong-model',
  'downgrade',
  'installed-too-old',
  'size-mismatch',
  'hash-mismatch',
  'unsafe-path',
] as const;
export type ReleaseRefusal = (typeof RELEASE_REFUSALS)[number];

export const RELEASE_ERROR_CODES = {
  malformed: 7000,
  'bad-signature': 7001,
  'too-few-signatures': 7002,
  expired: 7003,
  'wrong-model': 7004,
  downgrade: 7005,
  'installed-too-old': 7006,
  'size-mismatch': 7007,
  'hash-mismatch': 7008,
  'unsafe-path': 7009,
  // operating errors: the tool cannot decide, fix its setup
  'key-file': 7050,
  'trusted-keys': 7051,
  'bad-argument': 7052,
  io: 7053,
} as const satisfies Record<ReleaseRefusal | string, number>;
export type ReleaseErrorCode = keyof typeof RELEASE_ERROR_CODES;

export class ReleaseError extends Error {
  override readonly name = 'ReleaseError';
  readonly numericCode: number;
  constructor(
    readonly code: ReleaseErrorCode,
    message: string,
  ) {
    super(message);
    this.numericCode = RELEASE_ERROR_CODES[code];
  }
}

export function isReleaseError(error: unknown): error is ReleaseError {
  return error instanceof ReleaseError;
}

export function isReleaseRefusal(code: string): code is ReleaseRefusal {
  return (RELEASE_REFUSALS as readonly string[]).includes(code);
}

/** A release error that refuses the bundle (as opposed to one about the tool's own setup). */
export function isRefusalError(error: unknown): error is ReleaseError & { code: ReleaseRefusal } {
  return isReleaseError(error) && isReleaseRefusal(error.code);
}

export function refuse(reason: ReleaseRefusal, message: string): never {
  throw new ReleaseError(reason, message);
}
