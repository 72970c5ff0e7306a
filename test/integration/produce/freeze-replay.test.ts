// Issue 18, item 2: the broker freezes (SIGSTOP) longer than --flush-timeout while requests are on the wire. A
// request the client timed out may still be written when the broker wakes, so before transactions the topic then
// held such URLs twice once the fallback file was replayed. Now they belong to an aborted transaction: a
// read_committed reader (kscrape work's consumers, librdkafka's default) sees every URL exactly once after the
// replay. Uses a broker of its own (never the suite's).
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, stopBroker } from '../../../scripts/stack/broker.js';
import type { UrlEnvelope } from '../../../src/records/index.js';
import { runCli } from '../../helpers/cli.js';
import { startCli, urlLines } from '../../helpers/produce.js';
import { highWatermarkTotal, readBack, withAdmin } from '../../helpers/kafka.js';

const dir = mkdtempSync(join(tmpdir(), 'kscrape-produce-replay-'));
const stateDir = join(dir, 'broker');
let frozenPid: number | undefined;
const FREEZE_MS = 9_000;

afterAll(async () => {
  if (frozenPid) process.kill(frozenPid, 'SIGCONT');
  await stopBroker(stateDir, 5_000);
  rmSync(dir, { recursive: true, force: true });
});

const urlOf = (json: string) => (JSON.parse(json) as UrlEnvelope).url;

describe('kscrape produce, broker frozen longer than --flush-timeout, then the fallback file replayed', () => {
  test('a read_committed reader finds every URL exactly once', async () => {
    const broker = await startBroker({ stateDir, freePorts: true, heapMb: 384 });
    const topic = 'urls';
    await withAdmin((a) => a.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 1 }] }), broker.brokers);
    const fallback = join(dir, 'fallback.jsonl');
    const urls = urlLines(60_000, 50, 'replay');
    const cli = startCli(['produce', '--brokers', broker.brokers, '--json', '--fallback', fallback, '--flush-timeout', '3s']);
    await cli.write(`${urls.slice(0, 1_000).join('\n')}\n`);
    const deadline = Date.now() + 30_000;
    while ((await highWatermarkTotal(topic, broker.brokers)) < 1_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    // The rest in one write and the broker frozen at once, for longer than --flush-timeout: requests on the wire
    // time out in the client while the frozen broker still holds them, and writes them when it wakes.
    await cli.write(`${urls.slice(1_000).join('\n')}\n`);
    process.kill(broker.pid, 'SIGSTOP');
    frozenPid = broker.pid;
    const thawed = new Promise<void>((resolve) => setTimeout(() => {
      process.kill(broker.pid, 'SIGCONT');
      frozenPid = undefined;
      resolve();
    }, FREEZE_MS));
    cli.end();
    const r = await cli.done;
    await thawed;

    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout) as { delivered: number; failed: number; lines: number; fallback_file: string };
    expect(summary.lines).toBe(urls.length);
    expect(summary.delivered + summary.failed).toBe(urls.length);
    expect(summary.failed).toBeGreaterThan(0);
    const kept = readFileSync(fallback, 'utf8').trim().split('\n').map(urlOf);
    expect(kept).toHaveLength(summary.failed);

    const replay = await runCli(['produce', fallback, '--brokers', broker.brokers, '--json', '--fallback', join(dir, 'again.jsonl')], { timeoutMs: 120_000 });
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ delivered: summary.failed, failed: 0, fallback_file: null });

    // One more than there should be, to see a duplicate if there is one (the read then waits out its timeout).
    const read = (await readBack(topic, urls.length + 1, 20_000, { 'isolation.level': 'read_committed' }, broker.brokers)).map((m) => urlOf(m.value!));
    const counts = new Map<string, number>();
    for (const u of read) counts.set(u, (counts.get(u) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([u]) => u);
    expect({ twice: twice.length, examples: twice.slice(0, 3) }).toEqual({ twice: 0, examples: [] });
    expect(urls.filter((u) => !counts.has(u))).toEqual([]);
    expect(read).toHaveLength(urls.length);
  }, 300_000);
});
