// Types for the parts of `libpq` (node-postgres' binding of PostgreSQL's C
// client, the one pg-native uses) and `pg-types` this project calls.
declare module 'libpq' {
  class PQ {
    connectSync(connection: string): void;
    finish(): void;
    exec(text: string): void;
    execParams(text: string, params: (string | null)[]): void;
    prepare(name: string, text: string, nParams: number): void;
    execPrepared(name: string, params: (string | null)[]): void;
    resultStatus(): string;
    resultErrorMessage(): string;
    resultErrorFields(): { sqlState?: string; messagePrimary?: string; messageDetail?: string; constraintName?: string } | undefined;
    errorMessage(): string;
    ntuples(): number;
    nfields(): number;
    fname(field: number): string;
    ftype(field: number): number;
    getvalue(row: number, field: number): string;
    getisnull(row: number, field: number): boolean;
    cmdTuples(): string;
    transactionStatus(): number;
  }
  export = PQ;
}

declare module 'pg-types' {
  export function getTypeParser(oid: number, format?: 'text'): (value: string) => unknown;
  export function setTypeParser(oid: number, parser: (value: string) => unknown): void;
  export const builtins: Record<string, number>;
}
