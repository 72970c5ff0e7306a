/**
 * Chaos 1: `kill -9` of a `kscrape work` process in the middle of a run, several times, each time restarted.
 * Nothing may be lost (commits only cover finished URLs); what was finished but not yet committed is fetched
 * again after the restart (at-least-once): counted and reported, not failed on. With --eos (the restarted worker
 * keeps its --worker-id, so its transactional producer fences the dead one's) a read_committed reader sees none.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { withAdmin } from '../../helpers/kafka.js';
import { testBrokers, uniqueName } from '../../helpers/env.js';
import { auditPipeline, formatAudit } from '../../helpers/audit.js';
import { DELIVERY_MODES, FULL, createPipeline, produceUrls, scale, startKscrape, stopKscrape, waitFor, type KscrapeProcess } from '../../helpers/chaos.js';
import { startTargetProcess, type TargetProcess } from '../../helpers/http-targets.js';

const ADDRESSES = ['127.0.3.1', '127.0.3.2', '127.0.3.3', '127.0.3.4'];
let targets: TargetProcess;
const started: KscrapeProcess[] = [];

beforeAll(async () => { targets = await startTargetProcess(ADDRESSES, { '/p': { delayMs: 20 } }); });
afterAll(async () => {
  for (const p of started) await stopKscrape(p, 'SIGKILL');
  await targets.close();
});

// A killed member keeps its partitions until its session times out: the full run measures the default (30 s),
// the short one uses the broker's minimum so that it stays short.
const SESSION = FULL ? [] : ['-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=1000'];
const workArgs = (group: string, extra: string[] = []) => ['work', '--group', group, '--allow-cidr', '127.0.3.0/24', '--host-delay', '20ms',
  '--concurrency', '16', '--commit-interval', '1s', '--status-interval', '2s', '--shutdown-timeout', '10s', ...SESSION, ...extra];

describe.each(DELIVERY_MODES)('chaos: kill -9 of a worker mid-run ($name)', ({ name, mode, flags }) => {
  test('after several SIGKILLs and restarts every URL has an outcome; duplicates are counted', async () => {
    const urlCount = scale(160, 2000);
    const kills = scale(2, 5);
    const pipeline = await createPipeline(testBrokers(), 4);
    const urls = Array.from({ length: urlCount }, (_, i) => `${targets.origins[i % ADDRESSES.length]}/p?n=${i}`);
    await produceUrls(pipeline, urls);
    const group = uniqueName('g');
    const t0 = Date.now();
    const recoveries: number[] = [];
    const args = (extra: string[] = []) => workArgs(group, [...flags('kill-chaos'), ...extra]);

    const committedSum = async () => {
      const [c] = await withAdmin((admin) => admin.fetchOffsets({ groupId: group, topics: [`${pipeline.prefix}urls`] }));
      return c!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    };
    let worker = startKscrape(args(), pipeline.env);
    started.push(worker);
    for (let k = 0; k < kills; k++) {
      // Kill it once it has fetched another share of the run.
      const target = (await targets.count('/p')) + Math.floor(urlCount / (kills + 2));
      await waitFor('fetches before the kill', async () => (await targets.count('/p')) >= target || !worker.running(), 90_000);
      if (!worker.running()) process.stderr.write(`worker ended early:\n${worker.lines.map((l) => l.text).join('\n')}\n`);
      expect(worker.running()).toBe(true);
      const killedAt = Date.now();
      expect((await stopKscrape(worker, 'SIGKILL')).signal).toBe('SIGKILL');
      // Recovery: from the kill to the first fetch of the replacement, started at once.
      const afterKill = await targets.count('/p');
      worker = startKscrape(args(), pipeline.env);
      started.push(worker);
      await waitFor('the replacement to fetch', async () => (await targets.count('/p')) > afterKill || !worker.running(), 90_000);
      recoveries.push(Date.now() - killedAt);
    }
    // The last one stops gracefully; then workers that end once idle finish the rest (a worker that joins a
    // busy broker slowly can go idle before its first assignment, hence the rounds).
    expect((await stopKscrape(worker, 'SIGTERM')).code).toBe(0);
    worker = startKscrape(args(['--idle-exit', '8s']), pipeline.env);
    started.push(worker);
    for (let round = 0; ; round++) {
      const end = await worker.exited;
      if (end.code !== 0) process.stderr.write(worker.lines.map((l) => l.text).join('\n'));
      expect(end.code).toBe(0);
      if ((await committedSum()) >= urlCount || round >= 2) break;
      worker = startKscrape(args(['--idle-exit', '8s']), pipeline.env);
      started.push(worker);
    }

    const report = await auditPipeline({ brokers: testBrokers(), prefix: pipeline.prefix, expected: urls, mode });
    process.stderr.write(`${formatAudit(`worker kill -9 (${name})`, report)}\n[chaos] worker kill -9 (${name}): ${kills} SIGKILLs in ${((Date.now() - t0) / 1000).toFixed(1)} s; `
      + `recovery (kill -> next fetch) ${recoveries.map((r) => `${(r / 1000).toFixed(1)} s`).join(', ')}\n`);
    expect(report.lost).toEqual([]);
    expect(report.unexpected).toBe(0);
    // A URL fetched twice ends in the same place (the targets answer the same way every time).
    expect(report.splitUrls).toBe(0);
    if (mode === 'exactly-once') expect(report.duplicates).toBe(0);
    expect(await committedSum()).toBe(urlCount);
  }, scale(600_000, 1_800_000));
});
