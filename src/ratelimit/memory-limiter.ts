/**
 * The in-process limiter: GCRA on this process's clock. It holds one host's rate only within this process, so
 * it is exact for a single worker (or hosts pinned to one partition) and the fallback when Redis is away.
 */
import type { AcquireResult, Limiter, RateRule } from './limiter.js';
import { gcraDecide, gcraExpiresAt, gcraHold, type GcraState } from './gcra.js';

export interface MemoryLimiterOptions {
  /** Milliseconds on a monotonic-enough clock. @default Date.now */
  now?: () => number;
  /** How often idle keys are dropped (checked on use, no timer). @default 60_000 */
  sweepEveryMs?: number;
}

export class MemoryLimiter implements Limiter {
  private readonly states = new Map<string, GcraState>();
  private readonly now: () => number;
  private readonly sweepEveryMs: number;
  private lastSweep: number;

  constructor(opts: MemoryLimiterOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.sweepEveryMs = opts.sweepEveryMs ?? 60_000;
    this.lastSweep = this.now();
  }

  async tryAcquire(rules: readonly RateRule[]): Promise<AcquireResult> {
    return this.acquireNow(rules);
  }

  /** The synchronous core, so the fallback limiter can answer without another turn of the event loop. */
  acquireNow(rules: readonly RateRule[]): AcquireResult & { decidedAtMs: number } {
    const now = this.now();
    this.sweep(now);
    const decision = gcraDecide(now, rules.map(toGcraRule), rules.map((r) => this.states.get(r.key)));
    if (!decision.granted) return { granted: false, retryAfterMs: decision.retryAfterMs, decidedAtMs: now };
    rules.forEach((rule, i) => this.states.set(rule.key, decision.next[i]!));
    return { granted: true, retryAfterMs: 0, decidedAtMs: now };
  }

  async holdOff(key: string, delayMs: number): Promise<void> {
    this.states.set(key, gcraHold(this.now(), this.states.get(key), delayMs));
  }

  /** How much longer any of `keys` is held off (holdOff), in ms; 0 when none is. */
  heldForMs(keys: readonly string[]): number {
    const now = this.now();
    let held = 0;
    for (const key of keys) held = Math.max(held, (this.states.get(key)?.holdUntilMs ?? 0) - now);
    return held;
  }

  async close(): Promise<void> {
    this.states.clear();
  }

  /** Keys with live state (for tests and stats). */
  get size(): number {
    return this.states.size;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.sweepEveryMs) return;
    this.lastSweep = now;
    for (const [key, state] of this.states) if (gcraExpiresAt(state) <= now) this.states.delete(key);
  }
}

export function toGcraRule(rule: RateRule): { intervalMs: number; burst: number } {
  return { intervalMs: rule.intervalMs, burst: rule.burst ?? 0 };
}
