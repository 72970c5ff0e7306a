/**
 * Cluster scenario 4 (issue 17): `kscrape dlq retry --once` while a node of a 3-node cluster is killed -9 mid-run
 * (the node coordinating the retry's group, so the group and, with --eos, possibly the transactions move) and
 * restarted. Every due record ends re-emitted to urls or parked: at least once by default, exactly once with
 * --eos (read_committed audit).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { DlqRecord } from '../../../src/records/index.js';
import { createProducer } from '../../../src/kafka/index.js';
import { createLogger } from '../../../src/log.js';
import { auditPipeline, formatAudit } from '../../helpers/audit.js';
import { uniqueName } from '../../helpers/env.js';
import { highWatermarkTotal, withAdmin } from '../../helpers/kafka.js';
import { runCli } from '../../helpers/cli.js';
import { sleep, startKscrape, stopKscrape, waitFor, type KscrapeProcess } from '../../helpers/chaos.js';
import { noOpenTransaction, startTestCluster, type TestCluster } from '../../helpers/cluster.js';

let cluster: TestCluster;
const processes: KscrapeProcess[] = [];

beforeAll(async () => {
  cluster = await startTestCluster();
}, 180_000);
afterAll(async () => {
  for (const p of processes) await stopKscrape(p, 'SIGKILL');
  await cluster?.destroy();
}, 60_000);

const MODES = [
  { name: 'at-least-once', flags: [] as string[], mode: 'at-least-once' as const },
  { name: '--eos', flags: ['--eos', '--worker-id', 'retry-cluster'], mode: 'exactly-once' as const },
];

describe.each(MODES)('cluster: dlq retry --once with a node killed -9 mid-run ($name)', ({ name, flags, mode }) => {
  test('every due record re-emitted or parked; none lost; none twice with --eos', async () => {
    const prefix = `${uniqueName('cdlq')}.`;
    const env = { KSCRAPE_BROKERS: cluster.brokers, KSCRAPE_TOPIC_PREFIX: prefix };
    const partitions = ['urls=3', 'pages=1', 'extractions=1', 'errors=1', 'dlq=3', 'metrics=1', 'dlq.parked=1'].flatMap((p) => ['--partitions', p]);
    const created = await runCli(['topics', 'create', ...partitions], { env, timeoutMs: 90_000 });
    expect(created.code).toBe(0);

    const count = 3000;
    const failedAt = Date.now() - 3_600_000;
    const records = Array.from({ length: count }, (_, i) => {
      const url = `https://h${i % 11}.dlq-cluster.example/item/${i}`;
      const attempts = i % 10 === 0 ? 5 : 1; // every tenth is past --max-attempts: parked
      const rec: DlqRecord = { original: { url, host: `h${i % 11}.dlq-cluster.example`, customer_id: 'c', priority: 0, discovered_at: 0, attempt: attempts - 1 },
        error: 'status 503', status: 503, failed_at: failedAt, attempts, worker: 'cluster' };
      return { key: url, value: JSON.stringify(rec) };
    });
    const producer = createProducer({ config: { 'bootstrap.servers': cluster.brokers }, logger: createLogger({ level: 'quiet' }) }, { acks: -1, 'linger.ms': 5 } as never);
    await producer.connect();
    for (let i = 0; i < records.length; i += 1000) await producer.send({ topic: `${prefix}dlq`, messages: records.slice(i, i + 1000) });
    await producer.disconnect();

    const group = uniqueName('dlq-cluster');
    const victim = await cluster.groupCoordinator(group);
    const urlsTopic = `${prefix}urls`;
    const parkedTopic = `${prefix}dlq.parked`;
    const handled = async () => (await highWatermarkTotal(urlsTopic, cluster.brokers).catch(() => 0)) + (await highWatermarkTotal(parkedTopic, cluster.brokers).catch(() => 0));
    const run = startKscrape(['dlq', 'retry', '--once', '--group', group, '--cooldown', '1m', '--max-attempts', '5', '--json', ...flags,
      '-X', 'session.timeout.ms=6000'], env);
    processes.push(run);
    while (run.running() && (await handled()) < count / 4) await sleep(20);
    expect(run.running()).toBe(true);
    const atKill = await handled();
    await cluster.kill(victim);
    const killedAt = Date.now();
    await sleep(8_000);
    await cluster.restart(victim);
    const end = await Promise.race([run.exited, sleep(240_000).then(() => ({ code: null, signal: null }))]);
    // The run ends cleanly, or (--eos) by its exit bound when a transaction call of the client stayed stuck in a
    // native thread after it had finished (RELIABILITY.md "On a 3-broker cluster"): bounded, and said.
    const byBound = end.signal === 'SIGKILL' && run.lines.some((l) => l.text.startsWith('kscrape: the process did not end'));
    if (end.code !== 0) process.stderr.write(`${run.lines.map((l) => l.text).join('\n')}\n`);
    expect(end.code === 0 || (mode === 'exactly-once' && byBound)).toBe(true);
    const doneMs = Date.now() - killedAt;

    await cluster.waitFullyReplicated([urlsTopic, parkedTopic], 90_000);
    await waitFor('no open transaction', async () => (await noOpenTransaction(cluster.brokers, urlsTopic)) && noOpenTransaction(cluster.brokers, parkedTopic), 120_000, 1_000);
    const report = await auditPipeline({ brokers: cluster.brokers, prefix, expected: records.map((r) => r.key), places: ['urls', 'parked'], mode });
    process.stderr.write(`${formatAudit(`cluster dlq retry, node ${victim} (group coordinator) killed -9 for 8 s (${name})`, report)}\n`
      + `[cluster] dlq retry (${name}): killed after ~${atKill} records handled; the run finished ${(doneMs / 1000).toFixed(1)} s after the kill${byBound ? ' (ended by its exit bound)' : ''}\n`);
    expect(report.lost).toEqual([]);
    expect(report.splitUrls).toBe(0);
    if (mode === 'exactly-once') expect(report.duplicates).toBe(0);
    // The summary counts the batches the run saw committed: with --eos each record at most once. A transaction
    // whose commit got no answer in time (the coordinator killed) may still have committed: the run, which takes
    // it as failed, then finds its records already past the group's offset after the rebalance and never counts
    // them (seen once in CI: 2968 of 3000, the data exact). The data's exactly-once is the audit above.
    const summary = JSON.parse(run.stdout()) as { re_emitted: number; parked: Record<string, number> };
    const counted = summary.re_emitted + Object.values(summary.parked).reduce((a, b) => a + b, 0);
    if (mode === 'exactly-once') {
      expect(counted).toBeLessThanOrEqual(count);
      if (counted < count) expect(run.lines.some((l) => l.text.includes('transaction failed, nothing of it is visible'))).toBe(true);
    } else {
      expect(counted).toBeGreaterThanOrEqual(count);
    }
    const [committed] = await withAdmin((admin) => admin.fetchOffsets({ groupId: group, topics: [`${prefix}dlq`] }), cluster.brokers);
    expect(committed!.partitions.reduce((n, p) => n + Number(p.offset), 0)).toBe(count);
  }, 400_000);
});
