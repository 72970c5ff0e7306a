/**
 * 8 processes × 16 concurrent callers hammer one host limited to 10/s. Admission times are the Redis server
 * times the script returns: the decision is made on that clock, so the spacing can be checked exactly (the
 * callers' clocks would add network and event-loop jitter of several ms on a loaded machine, and a tolerance
 * that large would hide a real double admission). Runs 3 s by default; `npm run test:chaos` runs the full 10 s.
 */
import { expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { runHammer, minGap, peakInWindow } from '../../../bench/_hammer-run.js';
import { testRedisUrl, uniqueName } from '../../helpers/env.js';

const SCRIPT = resolve('dist/bench/_limiter-hammer.js');
const seconds = Number(process.env.KSCRAPE_HAMMER_SECONDS ?? 3);

test(`8 processes × 16 callers at 10/s for ${seconds} s: never closer than the interval, never more than allowed`, async () => {
  if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: run \`npx tsc -p tsconfig.build.json\` first`);
  const ratePerSec = 10;
  const intervalMs = 1000 / ratePerSec;
  const run = await runHammer({
    impl: 'kscrape', redisUrl: testRedisUrl(), keyPrefix: `${uniqueName('hammer')}:`, key: 'host:hammered.example',
    ratePerSec, burst: 0, callers: 16, processes: 8, durationMs: seconds * 1000,
  }, SCRIPT);
  const times = run.admittedAt;
  expect(run.clock).toBe('redis-server');
  // Clock resolution: the script stores times to the microsecond and treats 1 µs early as due.
  expect(minGap(times)).toBeGreaterThanOrEqual(intervalMs - 0.002);
  expect(times.length).toBeLessThanOrEqual(seconds * ratePerSec + 0 + 1);
  expect(peakInWindow(times, 1000)).toBeLessThanOrEqual(ratePerSec);
  // The span of the admissions bounds them exactly too (GCRA: at most span / interval + 1).
  expect(times.length).toBeLessThanOrEqual(Math.floor((times[times.length - 1]! - times[0]! + 0.002) / intervalMs) + 1);
  // Liveness, loosely: the limiter kept admitting (not a speed check; half the allowed count).
  expect(times.length).toBeGreaterThanOrEqual((seconds * ratePerSec) / 2);
  // Nobody polled: each of the 128 callers wakes once per admission at most (when told to), so the calls are
  // bounded by admissions × callers; a caller polling every millisecond would make ~128 000 calls per second.
  expect(run.calls).toBeLessThanOrEqual((times.length + 2) * 128 * 2);
}, 60_000);
