/**
 * Pure analysis of per-host arrival times for `bench/work.ts`: the steady-state window, the achieved rate as
 * a fraction of what the politeness rules allow, and spacing violations.
 */

export interface PolitenessReport {
  hosts: number;
  /** The steady-state window: from the moment every host had been visited once, plus one interval, to the
   * moment the first host received its last request (every host had work all through it). */
  window: { start: number; end: number; seconds: number };
  /** Requests that arrived inside the window, over all hosts. */
  inWindow: number;
  /** What the rules allow inside the window: hosts × seconds × (1000 / intervalMs). */
  allowed: number;
  /** inWindow / allowed. */
  fraction: number;
  /** Consecutive arrivals at one host closer than the interval, over the whole run. */
  strict: number;
  /** ...closer than (1 − noise) × interval. */
  beyondNoise: number;
  /** Strict violations short by less than 1 ms / less than 5 ms. */
  strictUnder1Ms: number;
  strictUnder5Ms: number;
  minGapMs: number;
  gaps: number;
}

export function politenessReport(arrivals: Record<string, readonly number[]>, intervalMs: number, noise = 0.1): PolitenessReport {
  const hosts = Object.values(arrivals).map((times) => [...times].sort((a, b) => a - b)).filter((t) => t.length > 0);
  if (!hosts.length) throw new Error('no arrivals');
  const start = Math.max(...hosts.map((t) => t[0]!)) + intervalMs;
  const end = Math.min(...hosts.map((t) => t[t.length - 1]!));
  const seconds = Math.max(0, (end - start) / 1000);
  let inWindow = 0;
  let strict = 0;
  let beyondNoise = 0;
  let strictUnder1Ms = 0;
  let strictUnder5Ms = 0;
  let minGapMs = Infinity;
  let gaps = 0;
  for (const times of hosts) {
    for (let i = 0; i < times.length; i++) {
      const at = times[i]!;
      if (at >= start && at < end) inWindow++;
      if (i === 0) continue;
      const gap = at - times[i - 1]!;
      gaps++;
      minGapMs = Math.min(minGapMs, gap);
      if (gap < intervalMs) {
        strict++;
        if (intervalMs - gap < 1) strictUnder1Ms++;
        if (intervalMs - gap < 5) strictUnder5Ms++;
      }
      if (gap < intervalMs * (1 - noise)) beyondNoise++;
    }
  }
  const allowed = hosts.length * seconds * (1000 / intervalMs);
  return {
    hosts: hosts.length, window: { start, end, seconds }, inWindow, allowed,
    fraction: allowed > 0 ? inWindow / allowed : 0, strict, beyondNoise, strictUnder1Ms, strictUnder5Ms, minGapMs, gaps,
  };
}

/** Requests per second between the first and the last arrival over all hosts (the fetch phase only). */
export function arrivalRate(arrivals: Record<string, readonly number[]>): { count: number; seconds: number; perSecond: number } {
  let first = Infinity;
  let last = -Infinity;
  let count = 0;
  for (const times of Object.values(arrivals)) {
    for (const t of times) {
      count++;
      if (t < first) first = t;
      if (t > last) last = t;
    }
  }
  const seconds = count > 1 ? (last - first) / 1000 : 0;
  return { count, seconds, perSecond: seconds > 0 ? (count - 1) / seconds : 0 };
}
