/**
 * `--idle-exit` during a rebalance (the demo's "the workers ended with 3 URLs not fetched yet"): a worker that
 * has been quiet for longer than its idle time, because every URL sits on a partition another worker owns, must
 * not exit while the group still has lag that it would be given. The race made on purpose: all URLs on one
 * partition of four, two workers with `--idle-exit 2s`, so one of them is idle from the start; then the busy one
 * leaves (SIGTERM) and its partition moves to the idle one, which must take it, finish it and only then exit.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { hostPartition } from '../../../src/partition/partitioner.js';
import { auditPipeline, formatAudit } from '../../helpers/audit.js';
import { testBrokers, uniqueName } from '../../helpers/env.js';
import { createPipeline, produceUrls, readGroupOffsets, sleep, startKscrape, stopKscrape, waitFor, type KscrapeProcess } from '../../helpers/chaos.js';
import { startTargetProcess, type TargetProcess } from '../../helpers/http-targets.js';

const ADDRESSES = Array.from({ length: 12 }, (_, i) => `127.0.10.${i + 1}`);
const PARTITIONS = 4;
let targets: TargetProcess;
const started: KscrapeProcess[] = [];

beforeAll(async () => { targets = await startTargetProcess(ADDRESSES, { '/i': {} }); });
afterAll(async () => {
  for (const p of started) await stopKscrape(p, 'SIGKILL');
  await targets.close();
});

const assignedLine = (w: KscrapeProcess) => w.lines.map((l) => /^debug: assigned partitions ([\d,]+)/.exec(l.text)?.[1]).find(Boolean);

describe('--idle-exit during a rebalance', () => {
  test('the idle worker takes the partition the leaving one gives up, finishes it, and only then exits', async () => {
    // Every URL on one partition: the first target's, with the other targets that hash there too. (A fixed
    // partition failed when none of the 12 targets' host:port, on random ports, hashed to it: 3 % of runs.)
    const hot = hostPartition(new URL(targets.origins[0]!).host, PARTITIONS);
    const origins = targets.origins.filter((o) => hostPartition(new URL(o).host, PARTITIONS) === hot).slice(0, 2);
    const urls = Array.from({ length: 120 }, (_, i) => `${origins[i % origins.length]}/i?n=${i}`);
    const pipeline = await createPipeline(testBrokers(), PARTITIONS);
    await produceUrls(pipeline, urls);
    const group = uniqueName('idle');
    const worker = () => {
      const w = startKscrape(['work', '--group', group, '--allow-cidr', '127.0.10.0/24', '--host-delay', '250ms', '--idle-exit', '2s',
        '--commit-interval', '1s', '--status-interval', '5s', '--verbose'], pipeline.env);
      started.push(w);
      return w;
    };
    const workers = [worker(), worker()];
    await waitFor('both workers own partitions', () => workers.every((w) => assignedLine(w) !== undefined), 60_000);
    const busy = workers.find((w) => assignedLine(w)!.split(',').includes(String(hot)))!;
    const idle = workers.find((w) => w !== busy)!;
    // Idle for longer than --idle-exit (2 s) while the group has lag on the busy one's partition: it must stay.
    await sleep(5_000);
    expect(idle.running()).toBe(true);
    const beforeLeave = (await readGroupOffsets(testBrokers(), group, `${pipeline.prefix}urls`))!;
    expect(beforeLeave.committed).toBeLessThan(urls.length);
    expect((await stopKscrape(busy, 'SIGTERM')).code).toBe(0);

    // The idle one gets the hot partition, finishes it, and exits by itself with the whole group committed.
    const exit = await Promise.race([idle.exited, sleep(120_000).then(() => 'still running' as const)]);
    expect(exit).toEqual({ code: 0, signal: null });
    const after = (await readGroupOffsets(testBrokers(), group, `${pipeline.prefix}urls`))!;
    // (The log end is one higher: produce's transaction commit marker, which is no URL.)
    expect(after.committed).toBe(urls.length);
    expect(idle.lines.some((l) => new RegExp(`^debug: assigned partitions .*\\b${hot}\\b`).test(l.text))).toBe(true);
    const report = await auditPipeline({ brokers: testBrokers(), prefix: pipeline.prefix, expected: urls });
    process.stderr.write(`${formatAudit('idle exit during a rebalance', report)}\n`);
    expect(report.lost).toEqual([]);
    expect(report.duplicates).toBe(0);
  }, 300_000);
});
