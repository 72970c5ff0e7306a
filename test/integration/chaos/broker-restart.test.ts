/**
 * Chaos 2: the broker stops in the middle of `kscrape produce` and of `kscrape work`, and starts again with its
 * data (a private broker of this test: the suite's shared one is never stopped).
 * - produce: exits non-zero, every URL not delivered is in the fallback file, replaying the file delivers it.
 * - work: keeps retrying its deliveries without committing past them, and finishes once the broker is back.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { auditPipeline, formatAudit } from '../../helpers/audit.js';
import { withAdmin } from '../../helpers/kafka.js';
import { runCli } from '../../helpers/cli.js';
import { uniqueName } from '../../helpers/env.js';
import { startCli } from '../../helpers/produce.js';
import { startRestartableBroker, type RestartableBroker } from '../../helpers/restartable-broker.js';
import { DELIVERY_MODES, createPipeline, produceUrls, readGroupOffsets, scale, sleep, startKscrape, stopKscrape, waitFor, type KscrapeProcess } from '../../helpers/chaos.js';
import { startTargetProcess, type TargetProcess } from '../../helpers/http-targets.js';

const ADDRESSES = ['127.0.4.1', '127.0.4.2', '127.0.4.3'];
const dir = mkdtempSync(join(tmpdir(), 'kscrape-chaos-broker-'));
let broker: RestartableBroker;
let targets: TargetProcess;
const processes: KscrapeProcess[] = [];

beforeAll(async () => {
  [broker, targets] = await Promise.all([startRestartableBroker(), startTargetProcess(ADDRESSES, { '/p': { delayMs: 20 } })]);
}, 180_000);
afterAll(async () => {
  for (const p of processes) await stopKscrape(p, 'SIGKILL');
  await targets?.close();
  await broker?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** Committed/high offsets (read in a child: see readGroupOffsets); a failed read counts as nothing committed. */
async function offsets(group: string, topic: string): Promise<{ committed: number; high: number; detail: string }> {
  return (await readGroupOffsets(broker.brokers, group, topic)) ?? { committed: -1, high: -1, detail: 'offsets unreadable (the reading child failed)' };
}

/** True when every partition's last stable offset (read_committed) is its high watermark: no transaction is open. */
async function noOpenTransaction(brokers: string, topic: string): Promise<boolean> {
  return withAdmin(async (admin) => {
    const [stable, high] = await Promise.all([
      admin.fetchTopicOffsets(topic, { isolationLevel: KafkaJS.IsolationLevel.READ_COMMITTED }), admin.fetchTopicOffsets(topic),
    ]);
    return stable.every((s) => high.some((h) => h.partition === s.partition && h.high === s.high));
  }, brokers);
}

describe('chaos: the broker stops and comes back', () => {
  test('produce: exit 1, fallback file holds the rest, replay delivers it; nothing lost', async () => {
    const pipeline = await createPipeline(broker.brokers, 3);
    const urls = Array.from({ length: scale(300, 5000) }, (_, i) => `https://h${i % 7}.produce-down.example/item/${i}`);
    const half = Math.floor(urls.length / 2);
    const fallback = join(dir, 'fallback.jsonl');
    // --flush-timeout rather than -X message.timeout.ms (as before issue 18): it also keeps produce's
    // transaction.timeout.ms short (50 s), which bounds the wait for the open transaction below.
    const cli = startCli(['produce', '--json', '--fallback', fallback, '--flush-timeout', '4s', '-X', 'reconnect.backoff.max.ms=500'], pipeline.env);
    await cli.write(`${urls.slice(0, half).join('\n')}\n`);
    await waitFor('the first half delivered', async () => (await offsets('none', `${pipeline.prefix}urls`)).high >= half, 60_000);

    await broker.stop();
    await cli.write(`${urls.slice(half).join('\n')}\n`);
    cli.end();
    const r = await cli.done;
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout) as { delivered: number; failed: number };
    expect(summary.delivered + summary.failed).toBe(urls.length);

    const restartedAt = Date.now();
    await broker.start();
    const beforeReplay = await auditPipeline({ brokers: broker.brokers, prefix: pipeline.prefix, expected: urls, places: ['urls'], files: [{ path: fallback, place: 'fallback' }] });
    process.stderr.write(`${formatAudit('produce, broker down (before replay)', beforeReplay)}\n`);
    expect(beforeReplay.lost).toEqual([]);

    const replay = await runCli(['produce', fallback, '--json', '--fallback', join(dir, 'again.jsonl')], { env: pipeline.env, timeoutMs: 120_000 });
    expect(replay.code).toBe(0);
    // Since issue 18 produce is transactional: the first run's last transaction, whose abort never reached the
    // stopped broker, is still open after the restart, and read_committed readers (the audit's, the workers') wait
    // behind it until the broker aborts it itself (transaction.timeout.ms, then its 10 s cleanup interval).
    await waitFor('no open transaction in urls', () => noOpenTransaction(broker.brokers, `${pipeline.prefix}urls`), 120_000);
    const after = await auditPipeline({ brokers: broker.brokers, prefix: pipeline.prefix, expected: urls, places: ['urls'] });
    process.stderr.write(`${formatAudit('produce, broker down (after replay)', after)}\n[chaos] produce: broker restart -> replay done in ${((Date.now() - restartedAt) / 1000).toFixed(1)} s\n`);
    expect(after.lost).toEqual([]);
  }, scale(300_000, 1_800_000));

  test.each(DELIVERY_MODES)('work ($name): deliveries are retried while the broker is down, nothing is committed past them, the run finishes after it is back', async ({ name, mode, flags }) => {
    const pipeline = await createPipeline(broker.brokers, 3);
    const urls = Array.from({ length: scale(150, 1500) }, (_, i) => `${targets.origins[i % ADDRESSES.length]}/p?n=${i}`);
    await produceUrls(pipeline, urls);
    // The targets serve both modes' runs: count this run's fetches only.
    const fetchedBefore = await targets.count('/p');
    const group = uniqueName('g');
    const worker = startKscrape(['work', '--group', group, '--allow-cidr', '127.0.4.0/24', '--host-delay', '50ms', '--concurrency', '8',
      '--commit-interval', '1s', '--status-interval', '2s', '--verbose', ...flags('broker-chaos')], pipeline.env);
    processes.push(worker);
    await waitFor('some fetches', async () => (await targets.count('/p')) - fetchedBefore >= urls.length / 4 || !worker.running(), 90_000);
    expect(worker.running()).toBe(true);

    const downMs = scale(8_000, 40_000);
    await broker.stop();
    const stoppedAt = Date.now();
    const fetchedAtStop = await targets.count('/p');
    await sleep(downMs);
    const fetchedWhileDown = (await targets.count('/p')) - fetchedAtStop;
    expect(worker.running()).toBe(true);
    await broker.start();
    const backAt = Date.now();

    const topic = `${pipeline.prefix}urls`;
    try {
      await waitFor('every URL committed after the broker came back', async () => {
        if (!worker.running()) return true;
        const o = await offsets(group, topic);
        return o.committed >= urls.length;
      }, scale(90_000, 180_000), 1_000);
    } catch (err) {
      const o = await offsets(group, topic);
      const tail = worker.lines.filter((l) => !/^debug: \[(consumer|producer|admin) debug\]/.test(l.text)).slice(-60).map((l) => `+${((l.at - stoppedAt) / 1000).toFixed(1)}s ${l.text}`);
      process.stderr.write(`[chaos] work did not finish after the broker came back: ${o.detail}\n${tail.join('\n')}\n`);
      throw err;
    }
    const finishedAt = Date.now();
    if (!worker.running()) process.stderr.write(`[chaos] the worker ended:\n${worker.lines.filter((l) => !/^debug: \[(consumer|producer|admin) debug\]/.test(l.text)).slice(-40).map((l) => l.text).join('\n')}\n`);
    expect(worker.running()).toBe(true);
    expect((await stopKscrape(worker, 'SIGTERM')).code).toBe(0);

    const report = await auditPipeline({ brokers: broker.brokers, prefix: pipeline.prefix, expected: urls, mode });
    const retries = worker.lines.filter((l) => /delivery failed/.test(l.text)).length;
    process.stderr.write(`${formatAudit(`work, broker down (${name})`, report)}\n[chaos] work (${name}): broker down ${downMs / 1000} s, ${fetchedWhileDown} fetches while down, `
      + `${retries} delivery-retry warnings; all committed ${((finishedAt - backAt) / 1000).toFixed(1)} s after the broker was back\n`);
    expect(report.lost).toEqual([]);
    expect(report.splitUrls).toBe(0);
    if (mode === 'exactly-once') expect(report.duplicates).toBe(0);
  }, scale(420_000, 1_800_000));
});
