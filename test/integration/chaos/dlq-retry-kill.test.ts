/**
 * Chaos 6: `kscrape dlq retry` killed (SIGKILL) in the middle of a run and started again. Nothing may be lost:
 * every DLQ record ends re-emitted to urls or parked. Without --eos a record delivered but not yet committed at
 * the kill is re-emitted again by the next run: those duplicates are counted and reported. With --eos the
 * re-emits and the commit are one transaction: a read_committed reader of urls and dlq.parked sees none twice.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import type { DlqRecord } from '../../../src/records/index.js';
import { auditPipeline, formatAudit } from '../../helpers/audit.js';
import { testBrokers, uniqueName } from '../../helpers/env.js';
import { produceRaw, withAdmin } from '../../helpers/kafka.js';
import { createPipeline, scale, sleep, startKscrape, stopKscrape, type KscrapeProcess } from '../../helpers/chaos.js';

const processes: KscrapeProcess[] = [];
afterAll(async () => { for (const p of processes) await stopKscrape(p, 'SIGKILL'); });

const high = (topic: string) => withAdmin(async (a) => (await a.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0));

const MODES = [
  { name: 'at-least-once', flags: [] as string[], mode: 'at-least-once' as const },
  { name: '--eos', flags: ['--eos', '--worker-id', 'retry-chaos'], mode: 'exactly-once' as const },
];

describe.each(MODES)('chaos: dlq retry killed mid-way ($name)', ({ name, flags, mode }) => {
  test('SIGKILL during a run, restart: every DLQ record is re-emitted or parked; re-emits counted', async () => {
    const pipeline = await createPipeline(testBrokers(), 3);
    const count = scale(3000, 30000);
    const kills = scale(1, 3);
    const failedAt = Date.now() - 3_600_000;
    const records = Array.from({ length: count }, (_, i) => {
      const url = `https://h${i % 11}.dlq-chaos.example/item/${i}`;
      // Every tenth is past --max-attempts: parked, not re-emitted.
      const attempts = i % 10 === 0 ? 5 : 1;
      const rec: DlqRecord = { original: { url, host: `h${i % 11}.dlq-chaos.example`, customer_id: 'c', priority: 0, discovered_at: 0, attempt: attempts - 1 },
        error: 'status 503', status: 503, failed_at: failedAt, attempts, worker: 'chaos' };
      return { key: url, value: JSON.stringify(rec) };
    });
    for (let i = 0; i < records.length; i += 5000) await produceRaw(`${pipeline.prefix}dlq`, records.slice(i, i + 5000));
    const group = uniqueName('dlq');
    const args = ['dlq', 'retry', '--once', '--group', group, '--cooldown', '1m', '--max-attempts', '5', '--json', ...flags,
      // The killed run stays a member until its session times out; keep that short (the broker's minimum).
      '-X', 'session.timeout.ms=6000'];
    const urlsTopic = `${pipeline.prefix}urls`;
    const parkedTopic = `${pipeline.prefix}dlq.parked`;

    const killedAt: number[] = [];
    for (let k = 0; k < kills; k++) {
      const before = (await high(urlsTopic)) + (await high(parkedTopic));
      const run = startKscrape(args, pipeline.env);
      processes.push(run);
      // Kill once it has handled a share of the records, while it is still going.
      const share = before + Math.floor(count / (kills + 2));
      while (run.running() && (await high(urlsTopic)) + (await high(parkedTopic)) < share) await sleep(20);
      if (!run.running()) process.stderr.write(run.lines.map((l) => l.text).join('\n'));
      expect(run.running()).toBe(true);
      expect((await stopKscrape(run, 'SIGKILL')).signal).toBe('SIGKILL');
      killedAt.push((await high(urlsTopic)) + (await high(parkedTopic)));
    }
    const restartAt = Date.now();
    const last = startKscrape(args, pipeline.env);
    processes.push(last);
    const end = await last.exited;
    if (end.code !== 0) process.stderr.write(last.lines.map((l) => l.text).join('\n'));
    expect(end.code).toBe(0);
    const recoveryMs = Date.now() - restartAt;

    const urls = records.map((r) => r.key);
    const report = await auditPipeline({ brokers: testBrokers(), prefix: pipeline.prefix, expected: urls, places: ['urls', 'parked'], mode });
    process.stderr.write(`${formatAudit(`dlq retry kill -9 (${name})`, report)}\n[chaos] dlq retry: ${kills} SIGKILL(s) at ${killedAt.join(', ')} records handled; `
      + `the restarted run finished in ${(recoveryMs / 1000).toFixed(1)} s\n`);
    expect(report.lost).toEqual([]);
    expect(report.unexpected).toBe(0);
    expect(report.splitUrls).toBe(0);
    if (mode === 'exactly-once') expect(report.duplicates).toBe(0);
    const [committed] = await withAdmin((admin) => admin.fetchOffsets({ groupId: group, topics: [`${pipeline.prefix}dlq`] }));
    expect(committed!.partitions.reduce((n, p) => n + Number(p.offset), 0)).toBe(count);
  }, scale(300_000, 1_800_000));
});
