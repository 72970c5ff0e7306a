/**
 * Exactly once through crashes: the sink killed -9 three times mid-load and restarted, then run to the end.
 * Rows and offsets commit in one transaction and each partition starts at the stored offset, so the table ends
 * exact: no record lost, none stored twice, in both modes.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startKscrape, stopKscrape, waitFor } from '../../helpers/chaos.js';
import { runCli } from '../../helpers/cli.js';
import { testBrokers } from '../../helpers/env.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';
import { ROW_COLUMNS, createSinkTopics, expectedRow, newestPerUrl, pageRecords, producePages, type ProducedPage } from '../../helpers/sink.js';

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase('sink_crash'); });
afterAll(async () => { await db.drop(); });

const TOTAL = 24_000;
// A dead member holds its partitions until its session times out: keep that short so restarts rejoin quickly.
const GROUP_SETTINGS = ['-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=1000'];

async function storedTotal(group: string): Promise<number> {
  const rows = await db.query<{ n: string | null }>('SELECT sum(next_offset) AS n FROM kscrape_offsets WHERE group_id = $1', [group]).catch(() => [{ n: null }]);
  return Number(rows[0]?.n ?? 0);
}

async function crashThreeTimesThenFinish(mode: 'upsert' | 'append', table: string, group: string): Promise<{ pages: ProducedPage[]; topic: string; kills: number[] }> {
  const brokers = testBrokers();
  const t = await createSinkTopics(brokers, 3);
  const pages = await producePages(brokers, t.pages, pageRecords(TOTAL, 4_000, 3));
  const args = [...GROUP_SETTINGS, 'sink', 'postgres', '--dsn', db.dsn, '--from', 'pages', '--mode', mode, '--table', table, '--group', group,
    '--batch', '150', '--linger', '50ms', '--connections', '3', '--status-interval', '1s'];
  const kills: number[] = [];
  for (const fraction of [0.15, 0.4, 0.65]) {
    const sink = startKscrape(args, t.env);
    await waitFor(`stored offsets past ${fraction * 100} %`, async () => (await storedTotal(group)) >= fraction * TOTAL || !sink.running(), 120_000, 25);
    expect(sink.running()).toBe(true);
    await stopKscrape(sink, 'SIGKILL');
    kills.push(await storedTotal(group));
  }
  const last = await runCli([...args, '--idle-exit', '3s', '--json'], { env: t.env, timeoutMs: 180_000 });
  expect(last.stderr).not.toMatch(/ERROR|Error:/);
  expect(last.code).toBe(0);
  return { pages, topic: t.pages, kills };
}

describe('sink postgres killed -9 three times mid-load', () => {
  test('append: every record exactly once, content exact', async () => {
    const { pages, topic, kills } = await crashThreeTimesThenFinish('append', 'crash_append', 'g-crash-append');
    // Each kill landed mid-load: something stored, not everything.
    for (const k of kills) expect(k > 0 && k < TOTAL).toBe(true);
    const counts = await db.query<{ n: string; distinct_positions: string }>('SELECT count(*) AS n, count(DISTINCT (kafka_partition, kafka_offset)) AS distinct_positions FROM crash_append');
    expect(counts[0]).toEqual({ n: String(TOTAL), distinct_positions: String(TOTAL) });
    const rows = await db.query(`SELECT ${ROW_COLUMNS} FROM crash_append ORDER BY kafka_partition, kafka_offset`);
    const expected = pages.map((p) => expectedRow(p, topic)).sort((a, b) => a.kafka_partition - b.kafka_partition || Number(a.kafka_offset) - Number(b.kafka_offset));
    expect(rows).toEqual(expected);
    expect(await storedTotal('g-crash-append')).toBe(TOTAL);
  }, 600_000);

  test('upsert: one row per URL, each the newest fetch', async () => {
    const { pages, topic, kills } = await crashThreeTimesThenFinish('upsert', 'crash_upsert', 'g-crash-upsert');
    for (const k of kills) expect(k > 0 && k < TOTAL).toBe(true);
    const rows = await db.query(`SELECT ${ROW_COLUMNS} FROM crash_upsert ORDER BY url`);
    const expected = [...newestPerUrl(pages).values()].map((p) => expectedRow(p, topic)).sort((a, b) => String(a.url).localeCompare(String(b.url)));
    expect(rows).toHaveLength(4_000);
    expect(rows).toEqual(expected);
    expect(await storedTotal('g-crash-upsert')).toBe(TOTAL);
  }, 600_000);
});
