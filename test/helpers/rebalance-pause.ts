/**
 * Two definitions of the pause a rebalance causes, computed from what a rolling restart left behind (pure):
 * - unowned time: per partition, from the moment a worker logged "revoking partitions ..." with it to the
 *   moment any worker logged "assigned partitions ..." with it (lines of `kscrape work --verbose`, stamped when
 *   the test read them); the longest such gap and the sum over partitions (partition-seconds nobody worked).
 * - fetch gap: the longest gap in the stream of requests arriving at all targets (stamped by the targets).
 */
export interface StampedLine { at: number; text: string }

const PARTITIONS = /^debug: (revoking|assigned) partitions (.*)$/;

export function unownedTime(workers: StampedLine[][]): { longestMs: number; totalMs: number; revocations: number } {
  const events: { at: number; kind: 'revoking' | 'assigned'; partitions: number[] }[] = [];
  for (const lines of workers) {
    for (const l of lines) {
      const m = PARTITIONS.exec(l.text);
      if (!m) continue;
      const partitions = m[2] === '(none)' ? [] : m[2]!.split(',').map(Number);
      events.push({ at: l.at, kind: m[1] as 'revoking' | 'assigned', partitions });
    }
  }
  events.sort((a, b) => a.at - b.at || (a.kind === 'revoking' ? -1 : 1));
  const since = new Map<number, number>();
  let longestMs = 0;
  let totalMs = 0;
  let revocations = 0;
  for (const e of events) {
    for (const p of e.partitions) {
      if (e.kind === 'revoking') {
        revocations++;
        if (!since.has(p)) since.set(p, e.at);
      } else if (since.has(p)) {
        const ms = e.at - since.get(p)!;
        since.delete(p);
        longestMs = Math.max(longestMs, ms);
        totalMs += ms;
      }
    }
  }
  return { longestMs, totalMs, revocations };
}
