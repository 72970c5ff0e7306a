/**
 * The defaults of `kscrape dlq retry` and `kscrape dlq stats`, declared once: src/commands/dlq.ts hands them to
 * commander (so `--help` shows these values) and parses what commander gives back. Values are in the runtime's
 * units (ms, counts); the flag text is derived from them.
 */
import type { PartitionerName } from '../partition/partitioner.js';
import { RETRY_DEFAULTS } from './retry-policy.js';

export const DLQ_DEFAULTS = {
  /**
   * The retry policy, shared by `retry` and `stats` (--cooldown, --backoff, --max-attempts).
   * @default { cooldownMs: 3600000 (1h), backoff: 'fixed', maxAttempts: 5 }
   */
  policy: RETRY_DEFAULTS,
  retry: {
    /** Consumer group of the retry consumer (--group). @default 'dlq-retry' */
    group: 'dlq-retry',
    /** How re-emitted URLs are partitioned, as in produce (--partitioner). @default 'host' */
    partitioner: 'host' as PartitionerName,
    /** Deadline for cluster requests, and for reading the topic with --dry-run (--timeout). @default 30000 (30s) */
    timeoutMs: 30_000,
  },
  stats: {
    /** Rows per table (--top). @default 10 */
    top: 10,
    /** Deadline for reading the whole topic (--timeout). @default 60000 (60s) */
    timeoutMs: 60_000,
  },
} as const;
