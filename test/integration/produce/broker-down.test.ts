// The broker dies in the middle of a run: nothing may be lost. Uses a broker of its own (never the suite's).
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, stopBroker } from '../../../scripts/stack/broker.js';
import type { UrlEnvelope } from '../../../src/records/index.js';
import { runCli } from '../../helpers/cli.js';
import { startCli, urlLines } from '../../helpers/produce.js';
import { readBack, withAdmin } from '../../helpers/kafka.js';

const dir = mkdtempSync(join(tmpdir(), 'kscrape-produce-down-'));
const stateDir = join(dir, 'broker');

afterAll(async () => {
  await stopBroker(stateDir, 5_000);
  rmSync(dir, { recursive: true, force: true });
});

describe('kscrape produce when the broker stops mid-run', () => {
  test('exit non-zero, the fallback file holds exactly what was not delivered, replaying it delivers the rest', async () => {
    let broker = await startBroker({ stateDir, freePorts: true, heapMb: 384 });
    const topic = 'urls';
    const create = (brokers: string) => withAdmin((a) => a.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 1 }] }), brokers);
    await create(broker.brokers);
    const fallback = join(dir, 'fallback.jsonl');
    const urls = urlLines(400, 9, 'down');
    const [firstHalf, secondHalf] = [urls.slice(0, 200), urls.slice(200)];
    const cli = startCli(['produce', '--brokers', broker.brokers, '--json', '--fallback', fallback, '--customer', 'c9', '--priority', '4',
      '-X', 'message.timeout.ms=3000', '-X', 'reconnect.backoff.max.ms=500']);
    await cli.write(`${firstHalf.join('\n')}\n`);
    // The first half is committed before the broker stops. Since issue 18 produce commits transactions, whose
    // markers count in the high watermarks: a read_committed read of 200 records says it, not the watermarks.
    expect(await readBack(topic, 201, 8_000, { 'isolation.level': 'read_committed' }, broker.brokers)).toHaveLength(200);

    await stopBroker(stateDir, 10_000);
    await cli.write(`${secondHalf.join('\n')}\n`);
    cli.end();
    const r = await cli.done;
    expect(r.code).toBe(1);
    // --json and not a terminal: the summary is on stdout; stderr holds no librdkafka chatter, only kscrape's own
    // line when the abort waited on the stopped broker for more than 5 s (whether it does depends on timing).
    expect(r.stderr.split('\n').filter((l) => l && !/^kscrape: warning: the (commit|abort) of a transaction of \d+ URLs has had no answer for 5 s/.test(l))).toEqual([]);
    const summary = JSON.parse(r.stdout) as { delivered: number; failed: number; lines: number; fallback_file: string };
    expect(summary).toMatchObject({ lines: 400, delivered: 200, failed: 200, fallback_file: fallback });

    const kept = readFileSync(fallback, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as UrlEnvelope);
    expect(kept.map((e) => e.url).sort()).toEqual([...secondHalf].sort());
    expect(kept.every((e) => e.customer_id === 'c9' && e.priority === 4 && e.attempt === 0)).toBe(true);

    // The broker comes back (empty: the launcher starts from a fresh data folder) and the fallback file is replayed.
    broker = await startBroker({ stateDir, freePorts: true, heapMb: 384 });
    await create(broker.brokers);
    const replay = await runCli(['produce', fallback, '--brokers', broker.brokers, '--json', '--fallback', join(dir, 'again.jsonl')]);
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ delivered: 200, failed: 0, rejected: 0, fallback_file: null });
    const replayed = (await readBack(topic, 200, 60_000, {}, broker.brokers)).map((m) => JSON.parse(m.value!) as UrlEnvelope);
    expect(replayed).toHaveLength(200);
    const byUrl = new Map(kept.map((e) => [e.url, e]));
    // Exactly the kept envelopes, customer, priority, attempt and discovery time included.
    for (const e of replayed) expect(e).toEqual(byUrl.get(e.url));
    expect(new Set(replayed.map((e) => e.url))).toEqual(new Set(secondHalf));
  }, 240_000);
});
