// Money (POLICY.md "Money and dates"): amounts are integers in fen; rates are
// decimal strings ("0.0225") or integer basis points; a product or quotient is
// rounded half-up to the fen once. Products are done in BigInt so that no
// floating point is ever involved: 0.0225 has no exact binary representation,
// and `balance * 0.0225` can land a hair below a .5 and round the wrong way.
import { PolicyError, PolicyErrorCode } from './errors.js';

/**
 * Largest amount the engine accepts anywhere (10^14 fen = one trillion yuan).
 * Sums of a few thousand such amounts stay far below 2^53, so every sum of
 * fen in JavaScript numbers stays exact.
 */
export const MAX_FEN = 100_000_000_000_000;

export const FEN_PER_YUAN = 100;

/** Longest decimal fraction a rate string may have (keeps denominators bounded). */
export const MAX_RATE_DECIMALS = 12;

/** An exact rate: numerator / denominator, denominator a power of ten, 0 <= rate <= 1. */
export interface Rate {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** A rate as settings carry it: a decimal string "0.0225", or integer basis points (225). */
export type RateInput = string | number;

export function isFen(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_FEN;
}

/** Throws `InvalidAmount` unless `value` is a non-negative integer number of fen. */
export function assertFen(value: unknown, what: string): asserts value is number {
  if (!isFen(value)) {
    throw new PolicyError(PolicyErrorCode.InvalidAmount, `${what} must be a whole number of fen between 0 and ${MAX_FEN} (got ${String(value)})`);
  }
}

/** Whole yuan to fen; a fraction of a yuan is refused, not rounded. */
export function yuanToFen(yuan: number): number {
  if (!Number.isSafeInteger(yuan) || yuan < 0 || yuan > MAX_FEN / FEN_PER_YUAN) {
    throw new PolicyError(PolicyErrorCode.InvalidAmount, `amount in yuan must be a whole non-negative number (got ${String(yuan)})`);
  }
  return yuan * FEN_PER_YUAN;
}

const RATE_PATTERN = new RegExp(`^(0|[1-9][0-9]*)(?:\\.([0-9]{1,${MAX_RATE_DECIMALS}}))?$`);
const BASIS_POINTS_PER_ONE = 10_000n;

/** True when `input` is a rate settings may carry (see `parseRate`). */
export function isRateInput(input: unknown): input is RateInput {
  try {
    parseRate(input as RateInput);
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses a rate exactly. A string is a decimal fraction ("0.0225" = 2.25 %);
 * a number is integer basis points (225 = 2.25 %). Rates above 1 are refused:
 * no setting of this scheme is more than the whole of anything.
 */
export function parseRate(input: RateInput): Rate {
  let numerator: bigint;
  let denominator: bigint;
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input) || input < 0) {
      throw new PolicyError(PolicyErrorCode.InvalidRate, `a rate in basis points must be a non-negative integer (got ${String(input)})`);
    }
    numerator = BigInt(input);
    denominator = BASIS_POINTS_PER_ONE;
  } else if (typeof input === 'string') {
    const m = RATE_PATTERN.exec(input);
    if (!m) {
      throw new PolicyError(PolicyErrorCode.InvalidRate, `a rate must be a decimal string like "0.0225" (got ${JSON.stringify(input)})`);
    }
    const fraction = m[2] ?? '';
    denominator = 10n ** BigInt(fraction.length);
    numerator = BigInt(m[1] ?? '0') * denominator + (fraction === '' ? 0n : BigInt(fraction));
  } else {
    throw new PolicyError(PolicyErrorCode.InvalidRate, `a rate must be a decimal string or integer basis points (got ${typeof input})`);
  }
  if (numerator > denominator) {
    throw new PolicyError(PolicyErrorCode.InvalidRate, `a rate must not exceed 1 (got ${String(input)})`);
  }
  return { numerator, denominator };
}

/**
 * numerator / denominator rounded half-up to an integer: exact halves go up
 * (away from zero for negative quotients, so rounding is symmetric).
 */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) {
    throw new PolicyError(PolicyErrorCode.InvalidArgument, `denominator must be positive (got ${denominator})`);
  }
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const rounded = (magnitude * 2n + denominator) / (denominator * 2n);
  return negative ? -rounded : rounded;
}

/** round_half_up(amountFen × rate), the one rounding step of POLICY "Interest". */
export function applyRateHalfUp(amountFen: number, rate: Rate): number {
  assertFen(amountFen, 'amount');
  return Number(divideHalfUp(BigInt(amountFen) * rate.numerator, rate.denominator));
}

/** round_half_up(amountFen / divisor), e.g. the account pension's balance / 139. */
export function divideFenHalfUp(amountFen: number, divisor: number): number {
  assertFen(amountFen, 'amount');
  if (!Number.isSafeInteger(divisor) || divisor <= 0) {
    throw new PolicyError(PolicyErrorCode.InvalidArgument, `divisor must be a positive integer (got ${String(divisor)})`);
  }
  return Number(divideHalfUp(BigInt(amountFen), BigInt(divisor)));
}
