/**
 * PostgreSQL restarted mid-run (a private server of the test's own, stopped like a power cut and started again):
 * the sink retries with backoff, says so, and ends with every record stored exactly once — including a batch
 * whose COMMIT was in flight when the server died (the retry finds its offset stored and skips it).
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { sleep, startKscrape, stopKscrape, waitFor } from '../../helpers/chaos.js';
import { testBrokers } from '../../helpers/env.js';
import { createTestDatabase, startPrivatePostgres, type PrivatePostgres, type TestDatabase } from '../../helpers/postgres.js';
import { createSinkTopics, pageRecords, producePages } from '../../helpers/sink.js';

let server: PrivatePostgres;
let db: TestDatabase;
beforeAll(async () => {
  server = await startPrivatePostgres();
  db = await createTestDatabase('sink_restart', server.dsn);
}, 120_000);
afterAll(async () => { await server?.destroy(); });

const TOTAL = 30_000;

test('PostgreSQL stopped twice mid-load and started again: retried, nothing lost, nothing twice', async () => {
  const brokers = testBrokers();
  const t = await createSinkTopics(brokers, 3);
  await producePages(brokers, t.pages, pageRecords(TOTAL, 30_000, 3));
  const sink = startKscrape(['-X', 'session.timeout.ms=6000', 'sink', 'postgres', '--dsn', db.dsn, '--from', 'pages', '--mode', 'append', '--table', 'restart_append',
    '--batch', '200', '--linger', '50ms', '--retry-max', '1s', '--statement-timeout', '5s', '--idle-exit', '3s', '--status-interval', '1s', '--json'], t.env);
  const stored = async () => Number((await db.query<{ n: string | null }>('SELECT sum(next_offset) AS n FROM kscrape_offsets').catch(() => [{ n: null }]))[0]?.n ?? 0);
  try {
    for (const [fraction, how] of [[0.2, 'crash'], [0.5, 'fast']] as const) {
      await waitFor(`${fraction * 100} % stored`, async () => (await stored()) >= fraction * TOTAL || !sink.running(), 120_000, 25);
      expect(sink.running()).toBe(true);
      await server.stop(how);
      await sleep(3_000);
      await server.start();
    }
    const end = await Promise.race([sink.exited, sleep(180_000).then(() => undefined)]);
    if (end?.code !== 0) console.error(sink.lines.slice(-15).map((l) => l.text).join('\n'));
    expect(end?.code).toBe(0);
  } finally {
    await stopKscrape(sink, 'SIGKILL');
  }
  const log = sink.lines.map((l) => l.text).join('\n');
  expect(log).toMatch(/storing a batch of \d+ failed .*retrying in/);
  expect(log).toMatch(/batch stored after \d+ failed attempt/);
  const counts = await db.query<{ n: string; positions: string }>('SELECT count(*) AS n, count(DISTINCT (kafka_partition, kafka_offset)) AS positions FROM restart_append');
  expect(counts[0]).toEqual({ n: String(TOTAL), positions: String(TOTAL) });
  expect(await stored()).toBe(TOTAL);
  const summary = JSON.parse(sink.stdout()) as { rows: number; db_failures: number };
  expect(summary.db_failures).toBeGreaterThan(0);
}, 600_000);

