/**
 * The one politeness interface. The worker asks before every fetch; the answer says whether it may go now
 * and, if not, exactly how long to wait. Implementations: in-process (default) and Redis GCRA (--redis).
 */

export interface RateRule {
  /** What is limited, e.g. `host:example.com` or `customer:acme`. Implementations add their own prefix. */
  key: string;
  /** Minimum spacing between admissions, in ms (1000 / rate per second). */
  intervalMs: number;
  /** Extra admissions allowed at once after idle time. 0 (the default) = evenly spaced. */
  burst?: number;
}

export interface AcquireResult {
  granted: boolean;
  /** When not granted: how long until it would be granted (ms, > 0). 0 when granted. */
  retryAfterMs: number;
  /**
   * The deciding clock's time of this answer, ms since the epoch: the Redis server's clock for the Redis
   * limiter, this process's for the in-process one. For audits and tests; schedule with retryAfterMs instead.
   */
  decidedAtMs?: number;
}

/**
 * Why a key is held: `retry-after`, the host asked for it (429/503 Retry-After); `spacing`, the worker keeps a
 * host's interval from the moment a request was really sent. Both hold the same way; `kscrape limits show`
 * reports them apart, so a hold-off after a 429 is not confused with ordinary spacing.
 */
export type HoldKind = 'retry-after' | 'spacing';

export interface Limiter {
  /**
   * Admits one request if every rule allows it, recording it against every rule; otherwise records nothing
   * and returns the longest wait among the rules that refused.
   */
  tryAcquire(rules: readonly RateRule[]): Promise<AcquireResult>;
  /** Nobody is admitted for `key` before now + delayMs; `kind` (default `retry-after`) says why. */
  holdOff(key: string, delayMs: number, kind?: HoldKind): Promise<void>;
  close(): Promise<void>;
}
