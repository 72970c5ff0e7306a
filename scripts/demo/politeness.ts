/** What each host of the demo site saw: requests and the smallest gap between two of them (pure). */
import type { Arrivals } from './site-process.js';

export interface HostLoad {
  host: string;
  requests: number;
  /** Smallest gap between consecutive requests, ms (null with fewer than two). */
  minGapMs: number | null;
  /** The two paths of that gap, in order. */
  minGapPaths: [string, string] | null;
}

export function hostLoads(arrivals: Arrivals): HostLoad[] {
  return Object.entries(arrivals).map(([host, list]) => {
    const sorted = [...list].sort((a, b) => a.at - b.at);
    let load: HostLoad = { host, requests: sorted.length, minGapMs: null, minGapPaths: null };
    for (let i = 1; i < sorted.length; i++) {
      const gap = sorted[i]!.at - sorted[i - 1]!.at;
      if (load.minGapMs === null || gap < load.minGapMs) load = { ...load, minGapMs: gap, minGapPaths: [sorted[i - 1]!.path, sorted[i]!.path] };
    }
    return load;
  });
}

export function renderHostLoads(loads: readonly HostLoad[], intervalMs: number): string {
  return loads.map((l) => `${l.host.padEnd(10)} ${String(l.requests).padStart(3)} requests, closest two ${l.minGapMs === null ? '-' : `${l.minGapMs} ms apart (${l.minGapPaths!.join(' then ')})`}`
    + (l.minGapMs !== null && l.minGapMs < intervalMs * 0.9 ? `; Crawl-delay asks for ${intervalMs} ms` : '')).join('\n') + '\n';
}
