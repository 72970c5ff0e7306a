/**
 * `kscrape sink postgres` as operators run it: page records on a real broker, the real PostgreSQL (a database of
 * the test's own), both modes, exact columns, offsets stored with the rows, Kafka's committed offsets following,
 * poison records, --check, and a DSN password that never appears in any output.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runCli } from '../../helpers/cli.js';
import { testBrokers } from '../../helpers/env.js';
import { produceRaw, readAll, withAdmin } from '../../helpers/kafka.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';
import { ROW_COLUMNS, createSinkTopics, expectedRow, newestPerUrl, pageRecords, producePages } from '../../helpers/sink.js';

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase('sink_cli'); });
afterAll(async () => { await db.drop(); });

const sinkArgs = (extra: string[]) => ['sink', 'postgres', '--dsn', db.dsn, '--linger', '100ms', '--idle-exit', '2s', '--status-interval', '1s', '--json', ...extra];

async function committedOffsets(group: string, topic: string): Promise<Map<number, number>> {
  const answer = await withAdmin((admin) => admin.fetchOffsets({ groupId: group, topics: [topic] }));
  return new Map((answer[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
}

describe('kscrape sink postgres (CLI)', () => {
  test('upsert: one row per URL, the newest fetch, exact columns; offsets stored with the rows; Kafka follows; --check shows lag 0', async () => {
    const brokers = testBrokers();
    const t = await createSinkTopics(brokers, 3);
    const pages = await producePages(brokers, t.pages, pageRecords(1200, 300, 3));
    const run = await runCli(sinkArgs(['--from', 'pages', '--table', 'pages_up', '--group', 'g-up', '--batch', '100']), { env: t.env, timeoutMs: 90_000 });
    expect(run.stderr).not.toMatch(/Error|error:/);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { consumed: number; rows: number; rejected: number };
    expect(summary).toMatchObject({ consumed: 1200, rows: 1200, rejected: 0 });

    const rows = await db.query(`SELECT ${ROW_COLUMNS} FROM pages_up ORDER BY url`);
    const expected = [...newestPerUrl(pages).values()].map((p) => expectedRow(p, t.pages)).sort((a, b) => String(a.url).localeCompare(String(b.url)));
    expect(rows).toHaveLength(300);
    expect(rows).toEqual(expected);

    const stored = await db.query<{ partition: number; next_offset: string }>('SELECT partition, next_offset FROM kscrape_offsets WHERE group_id = $1 AND topic = $2 ORDER BY partition', ['g-up', t.pages]);
    expect(stored.map((s) => [s.partition, Number(s.next_offset)])).toEqual([[0, 400], [1, 400], [2, 400]]);
    expect([...(await committedOffsets('g-up', t.pages))].sort()).toEqual([[0, 400], [1, 400], [2, 400]]);

    const check = await runCli(['sink', 'postgres', '--dsn', db.dsn, '--from', 'pages', '--table', 'pages_up', '--group', 'g-up', '--check', '--json'], { env: t.env, timeoutMs: 30_000 });
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ table: 'pages_up', exists: true, mode: 'upsert', rows: 300, lag: 0 });

    // A second run finds nothing new: no row changes, nothing consumed twice.
    await produceRaw(t.pages, [{ value: JSON.stringify({ ...pages[0]!.record, fetched_at: 1_600_000_000_000, status: 599 }), partition: 0 }]);
    const again = await runCli(sinkArgs(['--from', 'pages', '--table', 'pages_up', '--group', 'g-up']), { env: t.env, timeoutMs: 90_000 });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ consumed: 1, rows: 1 });
    // That record was older than the stored one: the row is unchanged.
    expect(await db.query(`SELECT ${ROW_COLUMNS} FROM pages_up ORDER BY url`)).toEqual(expected);
    const text = await runCli(['sink', 'postgres', '--dsn', db.dsn, '--from', 'pages', '--table', 'pages_up', '--group', 'g-up', '--check'], { env: t.env, timeoutMs: 30_000 });
    expect(text.stdout).toMatch(/table pages_up: upsert mode, schema version 1, 300 rows/);
    expect(text.stdout).toMatch(/lag 0/);
  }, 240_000);

  test('append: one row per record, exact columns, unique on topic/partition/offset; bodies with --bodies text', async () => {
    const brokers = testBrokers();
    const t = await createSinkTopics(brokers, 2);
    const pages = await producePages(brokers, t.pages, pageRecords(500, 120, 2));
    const run = await runCli(sinkArgs(['--from', 'pages', '--mode', 'append', '--bodies', 'text', '--table', 'pages_app', '--group', 'g-app', '--connections', '2']), { env: t.env, timeoutMs: 90_000 });
    expect(run.code).toBe(0);
    const rows = await db.query(`SELECT ${ROW_COLUMNS} FROM pages_app ORDER BY kafka_partition, kafka_offset`);
    const expected = pages.map((p) => ({ ...expectedRow(p, t.pages), body: p.record.body })).sort((a, b) => a.kafka_partition - b.kafka_partition || Number(a.kafka_offset) - Number(b.kafka_offset));
    expect(rows).toEqual(expected);
  }, 240_000);

  test('poison: malformed, too large and refused records go to errors with the reason; the rest is stored', async () => {
    const brokers = testBrokers();
    const t = await createSinkTopics(brokers, 1);
    const good = (i: number) => JSON.stringify({ url: `https://p.test/${i}`, status: 200, fetched_at: 1_700_000_000_000 + i });
    await produceRaw(t.pages, [
      { value: good(1), partition: 0 },
      { value: '{"url": "https://p.test/broken"', partition: 0 },
      { value: JSON.stringify({ url: 'https://p.test/nul', content_type: 'text/\u0000html', fetched_at: 1 }), partition: 0 },
      { value: good(2), partition: 0 },
      { value: JSON.stringify({ url: 'https://p.test/huge', body: 'y'.repeat(5000) }), partition: 0 },
      { value: '[]', partition: 0 },
      { value: good(3), partition: 0 },
    ]);
    const run = await runCli(sinkArgs(['--from', 'pages', '--table', 'pages_poison', '--group', 'g-p', '--max-row-bytes', '4096']), { env: t.env, timeoutMs: 90_000 });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ consumed: 7, rows: 3, rejected: 4 });
    expect((await db.query<{ url: string }>('SELECT url FROM pages_poison ORDER BY url')).map((r) => r.url)).toEqual(['https://p.test/1', 'https://p.test/2', 'https://p.test/3']);
    const errors = (await readAll(t.errors)).map((m) => JSON.parse(m.value!) as { url: string | null; reason: string; detail: string; original: string });
    expect(errors.map((e) => [e.reason, e.url]).sort()).toEqual([
      ['malformed', null], ['malformed', null], ['too-large', 'https://p.test/huge'], ['unloadable', 'https://p.test/nul'],
    ].sort());
    const nul = errors.find((e) => e.reason === 'unloadable')!;
    expect(nul.detail).toMatch(new RegExp(`${t.pages.replace(/\./g, '\\.')}/0@2: PostgreSQL refused the row`));
    expect(nul.original).not.toContain('\u0000');
    expect(errors.find((e) => e.original === '[]')).toBeDefined();
    const stored = await db.query<{ next_offset: string }>('SELECT next_offset FROM kscrape_offsets WHERE group_id = $1', ['g-p']);
    expect(stored.map((s) => Number(s.next_offset))).toEqual([7]);
  }, 240_000);

  test('bad input: one line, no stack, and the DSN password never shows, not even when the server is unreachable', async () => {
    const t = await createSinkTopics(testBrokers(), 1);
    const secret = 'Sup3rSecretPw';
    const withPassword = db.dsn.replace('postgres@', `postgres:${secret}@`);
    const ok = await runCli(['--verbose', 'sink', 'postgres', '--dsn', withPassword, '--from', 'pages', '--table', 'pages_pw', '--idle-exit', '1s'], { env: t.env, timeoutMs: 90_000 });
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('postgres:[redacted]@');
    expect(ok.stdout + ok.stderr).not.toContain(secret);
    // A loopback port nothing listens on.
    const away = await runCli(['sink', 'postgres', '--dsn', `postgres://postgres:${secret}@127.0.0.1:9/x`, '--statement-timeout', '3s'], { env: t.env, timeoutMs: 60_000 });
    expect(away.code).toBe(1);
    expect(away.stderr.trim().split('\n')).toHaveLength(1);
    expect(away.stderr).toMatch(/cannot prepare PostgreSQL at postgres:\/\/postgres:\[redacted\]@127\.0\.0\.1:9\/x/);
    expect(away.stderr).not.toContain(secret);
    const usage = await runCli(['sink', 'postgres', '--dsn', 'host=x password=hunter22', '--from', 'pages'], { env: t.env });
    expect(usage.code).toBe(2);
    expect(usage.stderr).not.toContain('hunter22');
    const table = await runCli(['sink', 'postgres', '--table', 'x; drop table y'], { env: t.env });
    expect([table.code, table.stderr.trim().split('\n').length]).toEqual([2, 1]);
  }, 240_000);
});
