/**
 * Two sinks in one group, the second joining mid-load and the first leaving before the end: partitions move
 * between them (revoked from one, assigned to the other at the stored offsets) and the table still ends exact.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { startKscrape, stopKscrape, waitFor } from '../../helpers/chaos.js';
import { testBrokers } from '../../helpers/env.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';
import { createSinkTopics, pageRecords, producePages } from '../../helpers/sink.js';

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase('sink_two'); });
afterAll(async () => { await db.drop(); });

const TOTAL = 24_000;

test('a sink joining and another leaving mid-load: every record exactly once', async () => {
  const brokers = testBrokers();
  const t = await createSinkTopics(brokers, 4);
  await producePages(brokers, t.pages, pageRecords(TOTAL, TOTAL, 4));
  const args = ['-X', 'session.timeout.ms=6000', 'sink', 'postgres', '--dsn', db.dsn, '--from', 'pages', '--mode', 'append', '--table', 'two_append',
    '--batch', '150', '--linger', '50ms', '--connections', '2', '--status-interval', '1s'];
  const stored = async () => Number((await db.query<{ n: string | null }>('SELECT sum(next_offset) AS n FROM kscrape_offsets').catch(() => [{ n: null }]))[0]?.n ?? 0);
  const first = startKscrape(args, t.env);
  let second: ReturnType<typeof startKscrape> | undefined;
  try {
    await waitFor('a quarter stored', async () => (await stored()) >= TOTAL / 4 || !first.running(), 120_000, 25);
    second = startKscrape([...args, '--idle-exit', '3s', '--json'], t.env);
    await waitFor('the second sink stores too', () => second!.lines.some((l) => /status: .*rows [1-9]/.test(l.text)) || !second!.running(), 120_000, 50);
    // The first leaves gracefully (SIGTERM): what it consumed is stored, its partitions go to the second.
    expect((await stopKscrape(first, 'SIGTERM', 60_000)).code).toBe(0);
    // Bounded: the second must end by itself (--idle-exit) once every partition is stored and Kafka told.
    await waitFor('the second sink ends by --idle-exit', () => !second!.running(), 120_000, 100);
    const end = await second.exited;
    expect(end.code).toBe(0);
  } finally {
    await stopKscrape(first, 'SIGKILL');
    if (second) await stopKscrape(second, 'SIGKILL');
  }
  const counts = await db.query<{ n: string; positions: string }>('SELECT count(*) AS n, count(DISTINCT (kafka_partition, kafka_offset)) AS positions FROM two_append');
  expect(counts[0]).toEqual({ n: String(TOTAL), positions: String(TOTAL) });
  expect(await stored()).toBe(TOTAL);
}, 600_000);
