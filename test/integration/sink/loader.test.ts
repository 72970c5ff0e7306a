import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type pg from 'pg';
import { createLogger } from '../../../src/log.js';
import { copyLine } from '../../../src/sink/copy-text.js';
import { createPool, ensureSchema } from '../../../src/sink/database.js';
import { Loader, type BatchEntry, type Reject } from '../../../src/sink/loader.js';
import { readStoredOffsets } from '../../../src/sink/offset-store.js';
import { mapRecord, type SourceMessage } from '../../../src/sink/row-mapping.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';

const logger = createLogger({ level: 'quiet' });
let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase('sink_loader');
  pool = createPool({ connectionString: db.dsn, connections: 2, statementTimeoutMs: 30_000, logger });
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

const page = (url: string, fetchedAt: number, extra: object = {}) => ({
  url, final_url: url, status: 200, content_type: 'text/html', headers: { a: '1' }, body: 'b', truncated: false,
  bytes: 1, fetched_at: fetchedAt, elapsed_ms: 5, customer_id: 'c', worker: 'w', ...extra,
});

function entries(partition: number, firstOffset: number, records: object[]): { partition: number; entries: BatchEntry[]; nextOffset: number } {
  const list = records.map((r, i): BatchEntry => {
    const message: SourceMessage = { topic: 'pages', partition, offset: firstOffset + i, timestamp: 1_700_000_000_000, key: null, value: JSON.stringify(r) };
    const mapped = mapRecord(message, { source: 'pages', bodies: 'none', maxRowBytes: 1 << 20 });
    return mapped.ok ? { message, line: copyLine(mapped.row), reject: undefined } : { message, line: undefined, reject: { message, reason: mapped.reason, detail: mapped.detail } };
  });
  return { partition, entries: list, nextOffset: firstOffset + records.length };
}

describe('loader against PostgreSQL', () => {
  test('schema: created once, then nothing to migrate; another mode on the same table is refused', async () => {
    expect(await ensureSchema(pool, { table: 'pages_u', mode: 'upsert', source: 'pages' }, logger)).toBe(1);
    expect(await ensureSchema(pool, { table: 'pages_u', mode: 'upsert', source: 'pages' }, logger)).toBe(0);
    await expect(ensureSchema(pool, { table: 'pages_u', mode: 'append', source: 'pages' }, logger)).rejects.toThrow(/created for --mode upsert/);
  });

  test('upsert: the newest fetch wins whatever order batches arrive in; a replayed batch changes nothing', async () => {
    await ensureSchema(pool, { table: 'pages_u2', mode: 'upsert', source: 'pages' }, logger);
    const rejects: Reject[] = [];
    const loader = new Loader({ pool, table: 'pages_u2', mode: 'upsert', offsets: { group: 'g', topic: 'pages' }, deliverRejects: async (r) => { rejects.push(...r); } });
    // Partition 1 holds the newer fetch of /a and loads first; partition 0 brings an older one later.
    expect(await loader.load(entries(1, 0, [page('https://x.test/a', 2_000), page('https://x.test/b', 1_000)]))).toMatchObject({ rows: 2, skipped: 0, nextOffset: 2 });
    expect(await loader.load(entries(0, 10, [page('https://x.test/a', 1_000, { status: 500 }), page('https://x.test/a', 1_500, { status: 404 })]))).toMatchObject({ rows: 2, nextOffset: 12 });
    const rows = await db.query<{ url: string; status: number; fetched_at: Date; kafka_partition: number }>('SELECT url, status, fetched_at, kafka_partition FROM pages_u2 ORDER BY url');
    expect(rows.map((r) => [r.url, r.status, r.fetched_at.getTime(), r.kafka_partition])).toEqual([['https://x.test/a', 200, 2_000, 1], ['https://x.test/b', 200, 1_000, 1]]);
    // A newer one replaces it.
    await loader.load(entries(0, 12, [page('https://x.test/a', 3_000, { status: 301 })]));
    // The same batch again (a redelivery after a crash): below the stored offset, skipped.
    expect(await loader.load(entries(0, 10, [page('https://x.test/a', 9_000, { status: 500 })]))).toMatchObject({ rows: 0, skipped: 1, nextOffset: 13 });
    const after = await db.query<{ status: number }>("SELECT status FROM pages_u2 WHERE url = 'https://x.test/a'");
    expect(after.map((r) => r.status)).toEqual([301]);
    expect([...(await readStoredOffsets(pool, { group: 'g', topic: 'pages' }))].sort()).toEqual([[0, 13], [1, 2]]);
    expect(rejects).toEqual([]);
  });

  test('upsert: new URLs go straight into the table; a known URL or one twice in the batch goes the staged way and the newest still wins', async () => {
    await ensureSchema(pool, { table: 'pages_direct', mode: 'upsert', source: 'pages' }, logger);
    const loader = new Loader({ pool, table: 'pages_direct', mode: 'upsert', offsets: { group: 'gd', topic: 'pages' }, deliverRejects: async () => undefined });
    const u = (path: string) => `https://d.test/${path}`;
    // All new: stored by the direct COPY.
    expect(await loader.load(entries(0, 0, [page(u('a'), 1_000), page(u('b'), 1_000), { ...page(u('x'), 1_000), url: null }]))).toMatchObject({ rows: 3 });
    expect(loader.directCopies).toEqual({ stored: 1, conflicted: 0 });
    // /a is known (an older fetch here, a newer one there): the direct COPY is refused and undone, the staged upsert decides.
    expect(await loader.load(entries(0, 3, [page(u('c'), 2_000), page(u('a'), 500, { status: 404 }), page(u('b'), 3_000, { status: 301 })]))).toMatchObject({ rows: 3 });
    expect(loader.directCopies).toEqual({ stored: 1, conflicted: 1 });
    // The partition's next batch skips the fast path (all new, stored the staged way), the one after tries it again.
    await loader.load(entries(0, 6, [page(u('d'), 1_000)]));
    expect(loader.directCopies).toEqual({ stored: 1, conflicted: 1 });
    await loader.load(entries(0, 7, [page(u('e'), 1_000)]));
    expect(loader.directCopies).toEqual({ stored: 2, conflicted: 1 });
    // Another partition, the same new URL twice in one batch: refused by the key, the newer of the two is kept.
    await loader.load(entries(1, 0, [page(u('f'), 2_000, { status: 201 }), page(u('f'), 1_000, { status: 500 })]));
    expect(loader.directCopies).toEqual({ stored: 2, conflicted: 2 });
    const rows = await db.query<{ url: string | null; status: number; fetched_at: Date }>('SELECT url, status, fetched_at FROM pages_direct ORDER BY url NULLS LAST');
    expect(rows.map((r) => [r.url, r.status, r.fetched_at.getTime()])).toEqual([
      [u('a'), 200, 1_000], [u('b'), 301, 3_000], [u('c'), 200, 2_000], [u('d'), 200, 1_000], [u('e'), 200, 1_000], [u('f'), 201, 2_000], [null, 200, 1_000],
    ]);
    // Nothing of an undone COPY is left: one row per URL, and the null-URL row once.
    expect((await db.query<{ n: string }>('SELECT count(*) AS n FROM pages_direct'))[0]!.n).toBe('7');
    expect([...(await readStoredOffsets(pool, { group: 'gd', topic: 'pages' }))].sort()).toEqual([[0, 8], [1, 2]]);
  });

  test('append: one row per record; a partly replayed batch stores only the new records', async () => {
    await ensureSchema(pool, { table: 'pages_a', mode: 'append', source: 'pages' }, logger);
    const loader = new Loader({ pool, table: 'pages_a', mode: 'append', offsets: { group: 'ga', topic: 'pages' }, deliverRejects: async () => undefined });
    await loader.load(entries(0, 0, [page('https://x.test/a', 1), page('https://x.test/a', 2), page('https://x.test/b', 3)]));
    expect(await loader.load(entries(0, 1, [page('https://x.test/a', 2), page('https://x.test/b', 3), page('https://x.test/c', 4)]))).toMatchObject({ rows: 1, skipped: 2, nextOffset: 4 });
    const rows = await db.query<{ kafka_offset: string; url: string }>('SELECT kafka_offset, url FROM pages_a ORDER BY kafka_offset');
    expect(rows.map((r) => [Number(r.kafka_offset), r.url])).toEqual([[0, 'https://x.test/a'], [1, 'https://x.test/a'], [2, 'https://x.test/b'], [3, 'https://x.test/c']]);
  });

  test('poison: malformed and refused rows are rejected with their reason, the rest of the batch is stored', async () => {
    await ensureSchema(pool, { table: 'pages_p', mode: 'upsert', source: 'pages' }, logger);
    const rejects: Reject[] = [];
    const loader = new Loader({ pool, table: 'pages_p', mode: 'upsert', offsets: { group: 'gp', topic: 'pages' }, deliverRejects: async (r) => { rejects.push(...r); } });
    const batch = entries(0, 0, [page('https://x.test/1', 1), page('https://x.test/nul', 1, { content_type: 'text/\u0000html' }), page('https://x.test/3', 1), page('https://x.test/4', 1, { headers: { 'x-bad': 'a\u0000b' } }), page('https://x.test/5', 1)]);
    batch.entries.push({ message: { topic: 'pages', partition: 0, offset: 5, timestamp: 0, key: null, value: '{nope' }, line: undefined, reject: { message: { topic: 'pages', partition: 0, offset: 5, timestamp: 0, key: null, value: '{nope' }, reason: 'malformed', detail: 'not JSON' } });
    batch.nextOffset = 6;
    expect(await loader.load(batch)).toMatchObject({ rows: 3, rejects: 3, nextOffset: 6 });
    expect(rejects.map((r) => [r.message.offset, r.reason]).sort()).toEqual([[1, 'unloadable'], [3, 'unloadable'], [5, 'malformed']]);
    expect(rejects.find((r) => r.message.offset === 1)?.detail).toMatch(/PostgreSQL refused the row/);
    // The refused row's cells, as text, from the COPY line the sink held.
    expect(JSON.parse(rejects.find((r) => r.message.offset === 1)!.message.value!)).toMatchObject({ url: 'https://x.test/nul', content_type: 'text/\u0000html', status: '200', body: null });
    const rows = await db.query<{ url: string }>('SELECT url FROM pages_p ORDER BY url');
    expect(rows.map((r) => r.url)).toEqual(['https://x.test/1', 'https://x.test/3', 'https://x.test/5']);
  });

  test('a reject that cannot be delivered rolls the whole batch back (retried later, nothing committed)', async () => {
    await ensureSchema(pool, { table: 'pages_r', mode: 'append', source: 'pages' }, logger);
    const loader = new Loader({ pool, table: 'pages_r', mode: 'append', offsets: { group: 'gr', topic: 'pages' }, deliverRejects: async () => { throw new Error('errors topic away'); } });
    const batch = entries(0, 0, [page('https://x.test/1', 1), page('https://x.test/2', 1, { content_type: 'a\u0000' })]);
    await expect(loader.load(batch)).rejects.toThrow('errors topic away');
    expect(await db.query('SELECT 1 FROM pages_r')).toHaveLength(0);
    expect((await readStoredOffsets(pool, { group: 'gr', topic: 'pages' })).size).toBe(0);
  });
});
