/**
 * Burrow-style partition status over a sliding window of samples, and the rates shown by `lag --watch`. Pure.
 *
 * Burrow's rules (github.com/linkedin/Burrow, "Consumer Lag Evaluation Rules"), adapted to what an admin
 * client can see: Burrow reads every commit, we only sample the committed offset, so "the consumer commits
 * the same offset again" (STALL) and "the consumer stopped committing" (STOP) look alike. We tell them apart by
 * ownership: a partition a live member owns that does not move is STALL; one nobody owns is STOP.
 *
 *   OK     lag was zero in at least one sample of the window, or the lag is going down
 *   STOP   lag never zero, the committed offset did not move over the window, and no member owns the partition
 *   STALL  lag never zero, the committed offset did not move over the window, and a member owns it
 *   STUCK  as STALL/STOP, when the group's members could not be read (so which of the two is unknown)
 *   WARN   lag never zero, the offset moves, but the lag grew (or stayed) in every interval: falling behind;
 *          also when the committed offset went backwards (Burrow's REWIND)
 *
 * A window of fewer than 2 samples gives `…` (not enough data) unless the lag is zero.
 */

export type PartitionStatus = 'OK' | 'WARN' | 'STALL' | 'STOP' | 'STUCK' | '…';

export interface LagSample {
  /** When the sample was taken (ms). */
  at: number;
  committed: number;
  logEnd: number;
}

export const lagOf = (s: LagSample) => Math.max(0, s.logEnd - s.committed);

/** `owned`: a live member owns the partition; null when the members could not be read. */
export function partitionStatus(window: readonly LagSample[], owned: boolean | null): PartitionStatus {
  if (window.some((s) => lagOf(s) === 0)) return 'OK';
  if (window.length < 2) return '…';
  const first = window[0]!;
  const last = window[window.length - 1]!;
  for (let i = 1; i < window.length; i++) {
    if (window[i]!.committed < window[i - 1]!.committed) return 'WARN';
  }
  if (last.committed === first.committed) return owned === null ? 'STUCK' : owned ? 'STALL' : 'STOP';
  let grew = true;
  for (let i = 1; i < window.length; i++) {
    if (lagOf(window[i]!) < lagOf(window[i - 1]!)) grew = false;
  }
  return grew ? 'WARN' : 'OK';
}

export interface Rates {
  /** Committed offsets advanced per second over the window. */
  consumedPerSec: number | null;
  /** Log-end offset advanced per second over the window. */
  producedPerSec: number | null;
  /** Time until lag reaches 0 at the current rates: 0 when caught up, null when not catching up (or unknown). */
  catchUpMs: number | null;
}

export function rates(window: readonly LagSample[]): Rates {
  const last = window[window.length - 1];
  if (!last) return { consumedPerSec: null, producedPerSec: null, catchUpMs: null };
  if (lagOf(last) === 0) {
    const r = window.length < 2 ? null : ratesBetween(window[0]!, last);
    return { consumedPerSec: r?.consumed ?? null, producedPerSec: r?.produced ?? null, catchUpMs: 0 };
  }
  if (window.length < 2) return { consumedPerSec: null, producedPerSec: null, catchUpMs: null };
  const { consumed, produced } = ratesBetween(window[0]!, last);
  const net = consumed - produced;
  return { consumedPerSec: consumed, producedPerSec: produced, catchUpMs: net > 0 ? (lagOf(last) / net) * 1000 : null };
}

function ratesBetween(a: LagSample, b: LagSample): { consumed: number; produced: number } {
  const secs = Math.max(1e-3, (b.at - a.at) / 1000);
  return { consumed: (b.committed - a.committed) / secs, produced: (b.logEnd - a.logEnd) / secs };
}

/** Keeps the last `size` samples per key. */
export class SampleWindows {
  private readonly windows = new Map<string, LagSample[]>();
  constructor(private readonly size: number) {}

  add(key: string, sample: LagSample): readonly LagSample[] {
    const w = [...(this.windows.get(key) ?? []), sample].slice(-this.size);
    this.windows.set(key, w);
    return w;
  }

  get(key: string): readonly LagSample[] {
    return this.windows.get(key) ?? [];
  }
}
