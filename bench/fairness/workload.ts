/**
 * The skewed workload of the fairness benchmark, generated deterministically: a few big hosts carry a fixed
 * share of the URLs, the rest are spread over a long tail (Zipf) of small hosts, every small host at least one.
 * Pure: no I/O, so the shape is unit-tested.
 */
import { hostPartition } from '../../src/partition/partitioner.js';

export interface WorkloadSpec {
  hosts: number;
  bigHosts: number;
  /** Share of all URLs on the big hosts together (0..1). */
  bigShare: number;
  urls: number;
  partitions: number;
  /** Host names end with this (they are pinned to the target's address with --resolve). */
  domain: string;
  seed?: number;
}

export interface WorkloadUrl {
  host: string;
  /** Path, unique in the workload: the target recognises the URL by host + path. */
  path: string;
  big: boolean;
}

export interface Workload {
  hosts: string[];
  big: Set<string>;
  /** In production order (shuffled). */
  urls: WorkloadUrl[];
}

export function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

/**
 * Big hosts are chosen so their home partitions differ (each collides with a different set of small hosts,
 * and under `fair` their bands cover most partitions), as an unlucky production topic would have them.
 */
export function bigHostNames(spec: Pick<WorkloadSpec, 'bigHosts' | 'partitions' | 'domain'>): string[] {
  const names: string[] = [];
  const used = new Set<number>();
  for (let i = 0; names.length < spec.bigHosts && i < 10_000; i++) {
    const name = `big${i}.${spec.domain}`;
    const p = hostPartition(name, spec.partitions);
    if (used.has(p) && used.size < spec.partitions) continue;
    used.add(p);
    names.push(name);
  }
  return names;
}

export function generateWorkload(spec: WorkloadSpec): Workload {
  if (spec.hosts <= spec.bigHosts) throw new Error('need more hosts than big hosts');
  const rnd = xorshift(spec.seed ?? 0x9e3779b9);
  const bigNames = bigHostNames(spec);
  const smallCount = spec.hosts - spec.bigHosts;
  const smallNames = Array.from({ length: smallCount }, (_, i) => `s${String(i).padStart(5, '0')}.${spec.domain}`);
  const bigUrls = Math.round(spec.urls * spec.bigShare);
  const smallUrls = spec.urls - bigUrls;
  if (smallUrls < smallCount) throw new Error(`${smallUrls} small-host URLs cannot cover ${smallCount} small hosts`);

  const perHost = new Map<string, number>();
  bigNames.forEach((h, i) => perHost.set(h, Math.floor(bigUrls / bigNames.length) + (i < bigUrls % bigNames.length ? 1 : 0)));
  for (const h of smallNames) perHost.set(h, 1);
  // The rest of the small-host URLs follow Zipf(1) over the small hosts: a long tail.
  const cdf: number[] = [];
  let sum = 0;
  for (let r = 1; r <= smallCount; r++) cdf.push((sum += 1 / r));
  for (let i = smallCount; i < smallUrls; i++) {
    const x = rnd() * sum;
    let lo = 0;
    let hi = smallCount - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cdf[mid]! < x) lo = mid + 1; else hi = mid; }
    const h = smallNames[lo]!;
    perHost.set(h, perHost.get(h)! + 1);
  }

  const big = new Set(bigNames);
  const urls: WorkloadUrl[] = [];
  let n = 0;
  for (const [host, count] of perHost) {
    for (let k = 0; k < count; k++) urls.push({ host, path: `/item/${n++}`, big: big.has(host) });
  }
  for (let i = urls.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [urls[i], urls[j]] = [urls[j]!, urls[i]!];
  }
  return { hosts: [...bigNames, ...smallNames], big, urls };
}

/**
 * Host names whose home partitions cover every partition: one warm-up URL each before the measured run, so
 * every worker has consumed, connected and fetched once (its start-up is not part of the figures).
 */
export function warmupHostNames(partitions: number, domain: string): string[] {
  const byPartition = new Map<number, string>();
  for (let i = 0; byPartition.size < partitions && i < 100_000; i++) {
    const name = `warm${i}.${domain}`;
    const p = hostPartition(name, partitions);
    if (!byPartition.has(p)) byPartition.set(p, name);
  }
  return [...byPartition.values()];
}
