/**
 * Chaos 4: a rolling restart of 4 workers (SIGTERM one, start its replacement, wait until it owns partitions,
 * next) during a run, once with cooperative-sticky (kscrape's default) and once with the eager range assignor
 * (-X partition.assignment.strategy=range). Each run ends with an audit; the pause each assignor causes is
 * measured two ways (see rebalance-pause.ts) and printed. No timing assertion: the figures go to RELIABILITY.md.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { auditPipeline, formatAudit } from '../../helpers/audit.js';
import { testBrokers, uniqueName } from '../../helpers/env.js';
import { unownedTime } from '../../helpers/rebalance-pause.js';
import { DELIVERY_MODES, arrivalTimes, createPipeline, longestGap, produceUrls, readGroupOffsets, scale, startKscrape, stopKscrape, waitFor, type KscrapeProcess } from '../../helpers/chaos.js';
import { startTargetProcess, type TargetProcess } from '../../helpers/http-targets.js';

const ADDRESSES = Array.from({ length: 12 }, (_, i) => `127.0.8.${i + 1}`);
const WORKERS = 4;
let targets: TargetProcess;
const processes: KscrapeProcess[] = [];

beforeAll(async () => { targets = await startTargetProcess(ADDRESSES, { '/p': {} }); });
afterAll(async () => {
  for (const p of processes) await stopKscrape(p, 'SIGKILL');
  await targets.close();
});

const assignedSomething = (w: KscrapeProcess) => w.lines.some((l) => /^debug: assigned partitions \d/.test(l.text));

async function rollingRestart(strategy: 'cooperative-sticky' | 'range', delivery = DELIVERY_MODES[0]!) {
  const pipeline = await createPipeline(testBrokers(), 12);
  const urls = Array.from({ length: scale(1500, 6000) }, (_, i) => `${targets.origins[i % ADDRESSES.length]}/p?${strategy}=${i}`);
  await produceUrls(pipeline, urls);
  const group = uniqueName('g');
  const extra = strategy === 'range' ? ['-X', 'partition.assignment.strategy=range'] : [];
  // A replacement takes the --worker-id of the worker it replaces, as a restarted pod keeps its name.
  const start = (_: unknown, slot: number) => {
    const w = startKscrape(['work', '--group', group, '--allow-cidr', '127.0.8.0/24', '--host-delay', '200ms', '--concurrency', '8',
      '--commit-interval', '1s', '--status-interval', '5s', '--shutdown-timeout', '10s', '--verbose', ...extra, ...delivery.flags(`roll-${slot}`)], pipeline.env);
    processes.push(w);
    return w;
  };
  let workers = Array.from({ length: WORKERS }, start);
  const all = [...workers];
  await waitFor('every worker owns partitions', () => workers.every(assignedSomething), 120_000);
  const from = Date.now();
  for (let i = 0; i < scale(2, WORKERS); i++) {
    const old = workers[i]!;
    expect((await stopKscrape(old, 'SIGTERM')).code).toBe(0);
    const replacement = start(undefined, i);
    all.push(replacement);
    workers = workers.map((w) => (w === old ? replacement : w));
    await waitFor('the replacement owns partitions', () => assignedSomething(replacement), 120_000);
  }
  const to = Date.now();
  await waitFor('every URL committed', async () => ((await readGroupOffsets(testBrokers(), group, `${pipeline.prefix}urls`))?.committed ?? 0) >= urls.length, 300_000, 1_000);
  for (const w of workers) expect((await stopKscrape(w, 'SIGTERM')).code).toBe(0);

  const report = await auditPipeline({ brokers: testBrokers(), prefix: pipeline.prefix, expected: urls, mode: delivery.mode });
  const times = arrivalTimes(await targets.arrivals(), '/p');
  const fetchGap = longestGap(times, from, to);
  const unowned = unownedTime(all.map((w) => w.lines.filter((l) => l.at >= from && l.at <= to)));
  const label = `${strategy}${delivery.mode === 'exactly-once' ? ', --eos' : ''}`;
  process.stderr.write(`${formatAudit(`rolling restart (${label})`, report)}\n[chaos] rolling restart ${label}: ${((to - from) / 1000).toFixed(1)} s, `
    + `longest fetch gap ${fetchGap} ms, partitions unowned: longest ${unowned.longestMs} ms, total ${(unowned.totalMs / 1000).toFixed(1)} partition-s, `
    + `${unowned.revocations} partition revocations\n`);
  expect(report.lost).toEqual([]);
  expect(report.splitUrls).toBe(0);
  if (delivery.mode === 'exactly-once') expect(report.duplicates).toBe(0);
  return { fetchGap, ...unowned };
}

describe('chaos: rolling restart of the workers', () => {
  test('cooperative-sticky against eager (range): nothing lost either way; pauses measured', async () => {
    const cooperative = await rollingRestart('cooperative-sticky');
    const eager = await rollingRestart('range');
    const pct = (a: number, b: number) => (b ? `${Math.round((1 - a / b) * 100)} % less` : 'n/a');
    process.stderr.write(`[chaos] rebalance pause, cooperative vs eager: fetch gap ${cooperative.fetchGap} vs ${eager.fetchGap} ms (${pct(cooperative.fetchGap, eager.fetchGap)}); `
      + `unowned partition-time ${cooperative.totalMs} vs ${eager.totalMs} ms (${pct(cooperative.totalMs, eager.totalMs)}); `
      + `revocations ${cooperative.revocations} vs ${eager.revocations}\n`);
    // Eager revokes every partition of every member at each rebalance; cooperative only those that move.
    expect(eager.revocations).toBeGreaterThan(cooperative.revocations);
  }, scale(900_000, 1_800_000));

  test('--eos (cooperative-sticky): revoked partitions drop their uncommitted results; no duplicate for read_committed', async () => {
    await rollingRestart('cooperative-sticky', DELIVERY_MODES[1]!);
  }, scale(600_000, 1_800_000));
});
