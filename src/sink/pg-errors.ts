/**
 * What a PostgreSQL failure means for a batch (pure): `data` — a row cannot be stored (bad encoding, a NUL byte,
 * a value out of range, a constraint): find the row and reject it; `retry` — the server or the connection is
 * away, busy or in a conflict (restart, failover, deadlock): roll back and try the same batch again later. Nothing
 * else is assumed: an unknown failure is retried, so a row is never dropped on a guess.
 */
export type PgFailure = 'data' | 'retry';

/** SQLSTATE classes of a row's own content: 22 data exception, 23 integrity constraint, 54 program limit exceeded. */
const DATA_CLASSES = new Set(['22', '23', '54']);

export function classifyPgError(err: unknown): PgFailure {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  if (/^[0-9A-Z]{5}$/.test(code) && DATA_CLASSES.has(code.slice(0, 2))) return 'data';
  return 'retry';
}

/** A connection that failed this way must not go back to the pool (it is broken or mid-protocol). */
export function brokenConnection(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  return !/^[0-9A-Z]{5}$/.test(code) || code.startsWith('08') || code.startsWith('57P');
}
