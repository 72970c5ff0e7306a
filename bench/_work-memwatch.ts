/**
 * Preloaded into the worker by `bench/work.ts` (NODE_OPTIONS=--import <this file>, BENCH_MEMWATCH_FILE=<out>):
 * samples process.memoryUsage() every 100 ms and writes, at exit, the sample taken at peak RSS and the peak of
 * each part. Splits the worker's RSS into V8 heap, Buffers/ArrayBuffers (external) and the rest (native:
 * librdkafka's queues, code, stacks), to tell garbage not yet collected from memory held on purpose.
 */
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_MEMWATCH_FILE;
if (out) {
  const mb = (n: number) => Math.round(n / 1048576);
  type Sample = { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  let atPeak: Sample = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const peak: Sample = { ...atPeak };
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    const s: Sample = { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
    if (s.rss > atPeak.rss) atPeak = s;
    for (const k of Object.keys(peak) as (keyof Sample)[]) peak[k] = Math.max(peak[k], s[k]);
  }, 100);
  timer.unref();
  process.on('exit', () => {
    const toMb = (s: Sample) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, mb(v)]));
    writeFileSync(out, JSON.stringify({ atPeakRss: toMb(atPeak), peaks: toMb(peak) }));
  });
}
