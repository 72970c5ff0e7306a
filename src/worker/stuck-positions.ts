/**
 * Every wait is bounded and logged (architecture invariant 10). A partition whose commit position does not
 * move while the worker has nothing queued and nothing fetching is waiting on something that may never come:
 * a delivery report, or a coordinator that does not confirm the commit. Seen after a broker froze (SIGSTOP):
 * every page delivered, three partitions' committed offsets behind for minutes, nothing logged, and
 * `--idle-exit` never firing. This names such partitions, once per stuck position, so an operator sees it.
 */
import type { PositionState } from './offset-tracker.js';

/**
 * How long a commit position may stay put, with the worker otherwise idle, before it is reported.
 * @default 30000 (30 s: six commit intervals at the default 5 s; a commit round's calls are bounded at 30 s)
 */
export const STUCK_POSITION_AFTER_MS = 30_000;

/**
 * Pure: one line per stuck partition. `workIdle`: nothing queued and nothing fetching, so an unfinished
 * offset can only be waiting for its delivery report (with work about, a slow host explains it).
 */
export function stuckPositions(states: readonly PositionState[], now: number, afterMs: number, workIdle: boolean): { key: string; line: string }[] {
  const out: { key: string; line: string }[] = [];
  for (const s of states) {
    const forMs = now - s.since;
    if (s.position < 0 || forMs < afterMs) continue;
    const seconds = Math.round(forMs / 1000);
    if (s.pending > 0) {
      if (!workIdle) continue;
      out.push({ key: `${s.partition}@${s.position}:pending`, line: `partition ${s.partition}: offset ${s.position} unfinished for ${seconds} s with nothing queued or fetching (${s.pending} URLs awaiting their delivery reports); the partition cannot be committed past it` });
    } else if (s.position !== s.committed) {
      out.push({ key: `${s.partition}@${s.position}:commit`, line: `partition ${s.partition}: position ${s.position} finished ${seconds} s ago and not confirmed by the group coordinator (last confirmed ${s.committed ?? 'none'}); commits keep being retried` });
    }
  }
  return out;
}
