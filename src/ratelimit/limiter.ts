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

export interface Limiter {
  /**
   * Admits one request if every rule allows it, recording it against every rule; otherwise records nothing
   * and returns the longest wait among the rules that refused.
   */
  tryAcquire(rules: readonly RateRule[]): Promise<AcquireResult>;
  /** Nobody is admitted for `key` before now + delayMs (429 Retry-After, Crawl-delay). */
  holdOff(key: string, delayMs: number): Promise<void>;
  close(): Promise<void>;
}
