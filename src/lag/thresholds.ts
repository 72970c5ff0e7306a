/**
 * Alerting: lag figures and limits in, one exit code out (Nagios convention), pure.
 *
 *   0 OK, 1 WARN, 2 CRITICAL, 3 UNKNOWN.
 *
 * A group is CRITICAL when its total lag (messages) exceeds --max-lag or its oldest unconsumed record is older
 * than --max-lag-time; WARN when it exceeds --warn-lag / --warn-lag-time, which default to 80% of the
 * corresponding max. UNKNOWN when a figure an active limit needs could not be read (a group that does not exist,
 * an unreadable log-end offset or timestamp): never reported as 0. Unreadable members (the describe process
 * crashed or timed out) do not change the code: no limit looks at members, and the lag figures come from offsets;
 * only a group with neither readable members nor committed offsets is UNKNOWN (collect.ts records that as `offsets`).
 * Across groups the worst wins, in the order CRITICAL > UNKNOWN > WARN > OK (a known emergency is not hidden
 * behind a partial read).
 */
import { formatDuration } from '../units.js';
import type { GroupLag, LagProblem } from './lag-model.js';

export const LagExit = { ok: 0, warn: 1, critical: 2, unknown: 3 } as const;
export type LagExitCode = (typeof LagExit)[keyof typeof LagExit];
export const LAG_EXIT_NAMES: Record<LagExitCode, string> = { 0: 'OK', 1: 'WARN', 2: 'CRITICAL', 3: 'UNKNOWN' };

export interface LagLimits {
  maxLag?: number;
  warnLag?: number;
  maxLagMs?: number;
  warnLagMs?: number;
}

export const WARN_FRACTION = 0.8;

/** Fills the WARN limits from the max ones (80%) when not given. */
export function resolveLimits(l: LagLimits): LagLimits {
  return {
    ...l,
    warnLag: l.warnLag ?? (l.maxLag === undefined ? undefined : Math.floor(l.maxLag * WARN_FRACTION)),
    warnLagMs: l.warnLagMs ?? (l.maxLagMs === undefined ? undefined : Math.floor(l.maxLagMs * WARN_FRACTION)),
  };
}

export interface Verdict {
  code: LagExitCode;
  /** One line per finding, for stderr. */
  reasons: string[];
}

const SEVERITY: Record<LagExitCode, number> = { 0: 0, 1: 1, 3: 2, 2: 3 };

export function worst(a: LagExitCode, b: LagExitCode): LagExitCode {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

export function evaluateGroup(g: GroupLag, limits: LagLimits): Verdict {
  const l = resolveLimits(limits);
  let code: LagExitCode = LagExit.ok;
  const reasons: string[] = [];
  const flag = (c: LagExitCode, why: string) => { code = worst(code, c); reasons.push(`${g.group}: ${LAG_EXIT_NAMES[c]} ${why}`); };
  const unreadable = (kinds: LagProblem['kind'][]) => g.problems.filter((p) => kinds.includes(p.kind)).map((p) => p.detail);

  // An unknown total (null) is never compared: the offsets problem below makes it UNKNOWN.
  const total = g.totalLag;
  if (l.maxLag !== undefined && total !== null && total > l.maxLag) flag(LagExit.critical, `lag ${total} > --max-lag ${l.maxLag}`);
  else if (l.warnLag !== undefined && total !== null && total > l.warnLag) flag(LagExit.warn, `lag ${total} > warn level ${l.warnLag}`);

  const age = g.maxLagMs ?? 0;
  if (l.maxLagMs !== undefined && age > l.maxLagMs) {
    flag(LagExit.critical, `oldest unconsumed record ${formatDuration(age)} old > --max-lag-time ${formatDuration(l.maxLagMs)}`);
  } else if (l.warnLagMs !== undefined && age > l.warnLagMs) {
    flag(LagExit.warn, `oldest unconsumed record ${formatDuration(age)} old > warn level ${formatDuration(l.warnLagMs)}`);
  }

  // Offsets we could not read make every figure unknown; an unreadable timestamp matters only to a time limit.
  const timeLimit = l.maxLagMs !== undefined || l.warnLagMs !== undefined;
  const unknown = unreadable(timeLimit ? ['offsets', 'timestamp'] : ['offsets']);
  if (unknown.length) flag(LagExit.unknown, `not readable: ${unknown.join('; ')}`);
  return { code, reasons };
}

export function evaluate(groups: GroupLag[], limits: LagLimits): Verdict {
  if (groups.length === 0) return { code: LagExit.unknown, reasons: ['no consumer group to report on'] };
  return groups.map((g) => evaluateGroup(g, limits)).reduce(
    (acc, v) => ({ code: worst(acc.code, v.code), reasons: [...acc.reasons, ...v.reasons] }),
    { code: LagExit.ok as LagExitCode, reasons: [] },
  );
}
