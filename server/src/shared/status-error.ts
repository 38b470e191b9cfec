// What the office API answers for a layer's refusal (runs, collections,
// rollouts): a stable string code, its number in the layer's range
// (protocol/src/errors.ts), the HTTP status, the field and details. Each layer
// keeps its own class and tables; this is the shape they share, so the API
// maps every one of them in one place (api/errors.ts).
export abstract class StatusError<C extends string> extends Error {
  readonly numericCode: number;
  readonly status: number;
  constructor(
    readonly code: C,
    message: string,
    tables: { numeric: Record<C, number>; status: Record<C, number> },
    readonly field?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.numericCode = tables.numeric[code];
    this.status = tables.status[code];
  }
}

export function isStatusError(error: unknown): error is StatusError<string> {
  return error instanceof StatusError;
}
