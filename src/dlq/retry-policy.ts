/**
 * What `dlq retry` does with one DLQ record, as a pure function of the record, the clock and the policy:
 * re-emit it to the urls topic (attempt + 1), park it for people to review, or wait until its cool-down ends.
 *
 * Cool-down: `--cooldown` after `failed_at`; with exponential backoff it doubles per attempt already made
 * (attempts 1 → cooldown, 2 → 2×, 3 → 4×, ...). When the server answered with `Retry-After` (the record's
 * `retry_after_at`), the record is due at the later of the two: the cool-down never shortens the server's
 * request, and a short Retry-After never shortens the cool-down. A record whose `attempts` reached `--max-attempts` is parked
 * (reason `max-attempts`); a record that is not a DLQ record is parked at once (reason `malformed`), so it never
 * blocks its partition.
 */
import { decodeDlqRecord, nextAttempt, type DlqRecord, type ErrorRecord, type UrlEnvelope } from '../records/index.js';

export type Backoff = 'fixed' | 'exponential';
export const BACKOFFS: readonly Backoff[] = ['fixed', 'exponential'];

export interface RetryPolicy {
  cooldownMs: number;
  backoff: Backoff;
  maxAttempts: number;
}

export const RETRY_DEFAULTS = { cooldownMs: 3_600_000, backoff: 'fixed', maxAttempts: 5 } as const satisfies RetryPolicy;

/** Exponent cap: 2^30 cool-downs is already longer than any retention. */
const MAX_DOUBLINGS = 30;

export function cooldownFor(attempts: number, policy: RetryPolicy): number {
  if (policy.backoff === 'fixed') return policy.cooldownMs;
  return policy.cooldownMs * 2 ** Math.min(MAX_DOUBLINGS, Math.max(0, attempts - 1));
}

export function dueAt(record: DlqRecord, policy: RetryPolicy): number {
  return Math.max(record.failed_at + cooldownFor(record.attempts, policy), record.retry_after_at ?? -Infinity);
}

export type ParkReason = 'max-attempts' | 'malformed';

export type Decision =
  | { action: 're-emit'; record: DlqRecord; envelope: UrlEnvelope }
  | { action: 'park'; reason: ParkReason; record: DlqRecord | null; detail: string; raw: string }
  | { action: 'wait'; record: DlqRecord; dueAt: number };

export function decide(value: Buffer | string | null, now: number, policy: RetryPolicy): Decision {
  const decoded = decodeDlqRecord(value);
  const raw = value === null ? '' : value.toString().slice(0, 2048);
  if (!decoded.ok) return { action: 'park', reason: 'malformed', record: null, detail: decoded.malformed, raw };
  const parsed = decoded.record;
  if (parsed.attempts >= policy.maxAttempts) {
    return { action: 'park', reason: 'max-attempts', record: parsed, raw,
      detail: `gave up after ${parsed.attempts} attempts (--max-attempts ${policy.maxAttempts}); last error: ${parsed.error}` };
  }
  const due = dueAt(parsed, policy);
  if (due > now) return { action: 'wait', record: parsed, dueAt: due };
  return { action: 're-emit', record: parsed, envelope: nextAttempt(parsed.original) };
}

/** The record written to the dlq.parked topic: the errors topic's shape, so the same tools read both. */
export function parkedRecord(d: Extract<Decision, { action: 'park' }>, now: number, worker: string): ErrorRecord {
  return {
    url: d.record?.original.url ?? null,
    reason: d.reason,
    status: d.record?.status ?? null,
    detail: d.detail,
    original: d.record?.original ?? d.raw,
    failed_at: now,
    worker,
  };
}
