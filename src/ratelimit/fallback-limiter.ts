/**
 * Redis first, the in-process limiter when Redis fails or is slow. A circuit opens on the first failed or
 * late call (logged once), every later call is answered locally without touching Redis, and one call per
 * probe interval tries Redis again; the first that succeeds closes the circuit (logged once).
 *
 * While open, each host gets its rate divided by the number of live workers, evenly spaced, so the group
 * as a whole stays within the configured rate without talking to each other. With `required`, nothing is
 * admitted while Redis is away: callers are told to come back at the next probe, so nobody busy-loops and
 * no work is dropped (the worker keeps its URLs queued).
 *
 * Holds (a request's own spacing from when it actually left, Retry-After) are kept locally as well as in Redis,
 * and a local hold refuses even when Redis would admit: a Redis that comes back empty (restarted, failed
 * over) knows nothing of what this worker sent while it was away.
 */
import { withDeadline, DeadlineExceeded } from '../deadline.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { AcquireResult, HoldKind, Limiter, RateRule } from './limiter.js';
import { MemoryLimiter } from './memory-limiter.js';

export interface LimiterStats {
  /** Where decisions are made right now. */
  mode: 'memory' | 'redis' | 'fallback' | 'paused';
  grants: number;
  /** Refusals with a wait (the host or customer was not due yet). */
  waits: number;
  redisErrors: number;
  /** Redis calls that missed the deadline (also counted in redisErrors). */
  redisTimeouts: number;
  /** Times the circuit opened. */
  fallbackActivations: number;
  /** Admissions decided by the in-process limiter while Redis was away. */
  fallbackGrants: number;
  /** With `required`: refusals because Redis was away. */
  pausedRefusals: number;
}

export interface StatsLimiter extends Limiter {
  stats(): LimiterStats;
}

export interface FallbackLimiterOptions {
  /** The shared limiter (Redis). */
  primary: Limiter;
  /** Answers while the primary is away. @default a new MemoryLimiter */
  fallback?: MemoryLimiter;
  /** Refuse (retry at the next probe) instead of falling back. */
  required: boolean;
  /** Workers in the group now (>= 1): the fallback divides each rate by it. */
  liveWorkers: () => number;
  logger: Logger;
  /** Longest wait for one Redis answer before it counts as a failure. @default 250 */
  deadlineMs?: number;
  /** How often Redis is tried again while the circuit is open. @default 2000 */
  probeEveryMs?: number;
  now?: () => number;
}

export class FallbackLimiter implements StatsLimiter {
  private readonly fallback: MemoryLimiter;
  private readonly deadlineMs: number;
  private readonly probeEveryMs: number;
  private readonly now: () => number;
  private open = false;
  private openedAt = 0;
  private nextProbeAt = 0;
  private probing = false;
  private readonly counters: Omit<LimiterStats, 'mode'> = {
    grants: 0, waits: 0, redisErrors: 0, redisTimeouts: 0, fallbackActivations: 0, fallbackGrants: 0, pausedRefusals: 0,
  };

  constructor(private readonly opts: FallbackLimiterOptions) {
    this.now = opts.now ?? Date.now;
    this.fallback = opts.fallback ?? new MemoryLimiter({ now: this.now });
    this.deadlineMs = opts.deadlineMs ?? 250;
    this.probeEveryMs = opts.probeEveryMs ?? 2_000;
  }

  async tryAcquire(rules: readonly RateRule[]): Promise<AcquireResult> {
    const heldMs = this.fallback.heldForMs(rules.map((r) => r.key));
    if (heldMs > 0) return this.count({ granted: false, retryAfterMs: Math.max(1, Math.ceil(heldMs)) });
    if (!this.open || (!this.probing && this.now() >= this.nextProbeAt)) {
      const probe = this.open;
      if (probe) this.probing = true;
      try {
        const answer = await withDeadline(this.opts.primary.tryAcquire(rules), this.deadlineMs, 'Redis limiter');
        if (probe) this.closeCircuit();
        return this.count(answer);
      } catch (err) {
        this.recordFailure(err);
      } finally {
        if (probe) this.probing = false;
      }
    }
    return this.answerWithoutRedis(rules);
  }

  async holdOff(key: string, delayMs: number, kind?: HoldKind): Promise<void> {
    // Always locally too: if Redis goes away later, the fallback still honours the 429.
    await this.fallback.holdOff(key, delayMs);
    if (this.open) return;
    try {
      await withDeadline(this.opts.primary.holdOff(key, delayMs, kind), this.deadlineMs, 'Redis limiter');
    } catch (err) {
      this.recordFailure(err);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.opts.primary.close(), this.fallback.close()]);
  }

  stats(): LimiterStats {
    const mode = !this.open ? 'redis' : this.opts.required ? 'paused' : 'fallback';
    return { mode, ...this.counters };
  }

  private answerWithoutRedis(rules: readonly RateRule[]): AcquireResult {
    const now = this.now();
    if (this.opts.required) {
      this.counters.pausedRefusals++;
      return { granted: false, retryAfterMs: Math.max(1, this.nextProbeAt - now) };
    }
    const workers = Math.max(1, Math.floor(this.opts.liveWorkers()) || 1);
    const answer = this.fallback.acquireNow(rules.map((r) => ({ key: r.key, intervalMs: r.intervalMs * workers, burst: 0 })));
    if (answer.granted) this.counters.fallbackGrants++;
    return this.count(answer);
  }

  private count(answer: AcquireResult): AcquireResult {
    if (answer.granted) this.counters.grants++;
    else this.counters.waits++;
    return answer;
  }

  private recordFailure(err: unknown): void {
    this.counters.redisErrors++;
    if (err instanceof DeadlineExceeded) this.counters.redisTimeouts++;
    this.nextProbeAt = this.now() + this.probeEveryMs;
    if (this.open) return;
    this.open = true;
    this.openedAt = this.now();
    this.counters.fallbackActivations++;
    this.opts.logger.warn(this.opts.required
      ? `Redis limiter unavailable (${errorMessage(err)}); --redis-required: pausing fetches until it answers (retrying every ${this.probeEveryMs} ms)`
      : `Redis limiter unavailable (${errorMessage(err)}); using in-process limits at 1/${this.opts.liveWorkers()} of each rate until it answers`);
  }

  private closeCircuit(): void {
    if (!this.open) return;
    this.open = false;
    this.opts.logger.info(`Redis limiter answers again after ${((this.now() - this.openedAt) / 1000).toFixed(1)} s; shared limits restored`);
  }
}
