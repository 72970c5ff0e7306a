/**
 * GCRA (generic cell rate algorithm) as pure functions of a clock reading. Both limiters use these semantics:
 * the in-process one calls them directly, the Redis one runs the same steps in Lua (gcra.lua.ts) on the
 * server's clock; test/integration/ratelimit/redis.test.ts replays Redis's answers through these functions.
 *
 * A key's whole state is its TAT (theoretical arrival time): the moment it would next be admitted if requests
 * came evenly spaced. A request is admitted when `now >= TAT - tolerance`, and then moves TAT forward by one
 * interval (from `now` when the key was idle). So admissions are spaced `intervalMs` apart, `burst` extra ones
 * may come at once after idle time, and nothing but the TAT has to be stored.
 */

export interface GcraRule {
  /** Spacing between admissions, ms (> 0). */
  intervalMs: number;
  /** Extra admissions allowed at once after idle time; 0 = evenly spaced. */
  burst: number;
}

export interface GcraState {
  /** Theoretical arrival time, ms on the deciding clock. */
  tatMs: number;
  /** Nobody is admitted before this (holdOff); 0 when none. */
  holdUntilMs: number;
}

export type GcraDecision =
  | { granted: true; retryAfterMs: 0; next: GcraState[] }
  | { granted: false; retryAfterMs: number };

/** Within this many ms of "due" a request counts as due: absorbs float rounding of stored times. */
export const GCRA_EPSILON_MS = 0.001;

/**
 * Decides one request against every rule at once: all admit (and every state advances) or none is touched.
 * `states[i]` belongs to `rules[i]`; undefined = the key is unknown (idle). `cost` counts the request as
 * several (it must fit in one burst: cost <= burst + 1).
 */
export function gcraDecide(nowMs: number, rules: readonly GcraRule[], states: readonly (GcraState | undefined)[], cost = 1): GcraDecision {
  let waitMs = 0;
  const next: GcraState[] = [];
  rules.forEach((rule, i) => {
    if (cost > rule.burst + 1) throw new RangeError(`cost ${cost} can never pass a rule with burst ${rule.burst}`);
    const state = states[i];
    const tat = Math.max(state?.tatMs ?? nowMs, nowMs);
    const holdUntil = state?.holdUntilMs ?? 0;
    const newTat = tat + rule.intervalMs * cost;
    // Admitted when the new TAT stays within one interval plus the burst tolerance of now.
    const allowAt = newTat - rule.intervalMs * (rule.burst + 1);
    waitMs = Math.max(waitMs, allowAt - nowMs, holdUntil - nowMs);
    next.push({ tatMs: newTat, holdUntilMs: holdUntil });
  });
  if (waitMs > GCRA_EPSILON_MS) return { granted: false, retryAfterMs: Math.max(1, Math.ceil(waitMs)) };
  return { granted: true, retryAfterMs: 0, next };
}

/** The state after `holdOff`: nobody is admitted before now + delayMs (an earlier, longer hold stays). */
export function gcraHold(nowMs: number, state: GcraState | undefined, delayMs: number): GcraState {
  return { tatMs: state?.tatMs ?? nowMs, holdUntilMs: Math.max(state?.holdUntilMs ?? 0, nowMs + delayMs) };
}

/**
 * From when on the state no longer matters (a missing key then behaves the same), so it may expire:
 * once now >= TAT the key is as good as idle, and a hold is over at its end.
 */
export function gcraExpiresAt(state: GcraState): number {
  return Math.max(state.tatMs, state.holdUntilMs);
}

/** The earliest time the key admits a request of cost 1 again (for `kscrape limits show`). */
export function gcraNextAllowedAt(state: GcraState, rule: GcraRule): number {
  return Math.max(state.tatMs - rule.intervalMs * rule.burst, state.holdUntilMs);
}
