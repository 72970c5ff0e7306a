/**
 * `kscrape extract --eos`: an extractor killed with SIGKILL mid-run and restarted under the same --worker-id
 * leaves exactly one extractions (or errors) record per page for read_committed readers: 0 lost, 0 duplicates.
 * With --records item, exactly one record per item: all of a page's records are in its transaction.
 */
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { testBrokers, uniqueName } from '../../helpers/env.js';
import { highWatermarkTotal, produceRaw, readBack, withAdmin } from '../../helpers/kafka.js';
import { startKscrape, stopKscrape, waitFor } from '../../helpers/chaos.js';
import { productPage } from '../../helpers/extract-pages.js';
import type { PageRecord } from '../../../src/records/index.js';

const PAGES = 600;
const TEXT_PAGES = 20;

const readCommitted = (topic: string, atLeast: number) => readBack(topic, atLeast + 1_000, 10_000, { 'isolation.level': 'read_committed' });

describe('kscrape extract --eos', () => {
  test.each([
    ['page', 1],
    ['item', 3],
  ] as const)('--records %s: kill -9 mid-run and restart: every page (%d records each) exactly once in extractions, or in errors (read_committed)', async (form, perPage) => {
    const prefix = `${uniqueName('xteos')}.`;
    const env = { KSCRAPE_BROKERS: testBrokers(), KSCRAPE_TOPIC_PREFIX: prefix };
    const partitions = ['pages=3', 'extractions=2', 'errors=1'].flatMap((p) => ['--partitions', p]);
    expect((await runCli(['topics', 'create', '--replication-factor', '1', ...partitions], { env, timeoutMs: 90_000 })).code).toBe(0);
    const page = (n: number): PageRecord => {
      const url = `http://shop.test/p/${n}`;
      const text = n < TEXT_PAGES;
      return {
        url, final_url: url, status: 200, content_type: text ? 'text/plain' : 'text/html; charset=utf-8', headers: {},
        body: text ? `plain ${n}` : productPage(n), truncated: false, bytes: 0, fetched_at: n, elapsed_ms: 1, customer_id: 'default', worker: 'w',
      };
    };
    for (let from = 0; from < PAGES; from += 100) {
      await produceRaw(`${prefix}pages`, Array.from({ length: 100 }, (_, i) => page(from + i)).map((p) => ({ key: p.url, value: JSON.stringify(p) })));
    }
    // A module that takes a little time per page, so the kill lands mid-run whatever the machine's speed.
    const dir = mkdtempSync(join(tmpdir(), 'xt-eos-'));
    const modulePath = join(dir, 'slow.mjs');
    writeFileSync(modulePath, 'export default async (page, { select }) => { await new Promise((r) => setTimeout(r, 15)); return select(".tag").map((el) => ({ tag: el.children[0].data })); };\n');

    const group = uniqueName('xg');
    const args = ['extract', '--eos', '--worker-id', 'xt-eos-1', '--group', group, '--module', modulePath, '--concurrency', '2',
      '--records', form, '--txn-max-messages', '25', '--txn-max-ms', '300ms', '--status-interval', '2s', '-X', 'session.timeout.ms=6000'];
    const first = startKscrape(args, env);
    // Let it commit some transactions, then kill it without warning.
    await waitFor('first transactions', async () => (await highWatermarkTotal(`${prefix}extractions`)) >= 120 * perPage, 60_000, 200);
    await stopKscrape(first, 'SIGKILL');
    const beforeRestart = await highWatermarkTotal(`${prefix}extractions`);
    expect(beforeRestart).toBeLessThan(PAGES * perPage); // killed mid-run, not after

    const second = await runCli([...args, '--idle-exit', '3s', '--json'], { env, timeoutMs: 180_000 });
    expect([second.code, second.stderr.split('\n').filter((l) => l.startsWith('kscrape: '))]).toEqual([0, []]);

    const records = (PAGES - TEXT_PAGES) * perPage;
    const extractions = await readCommitted(`${prefix}extractions`, records);
    const errors = await readCommitted(`${prefix}errors`, TEXT_PAGES);
    const extracted = extractions.map((m) => ({ key: m.key!, ...JSON.parse(m.value!) as { url: string; items?: { tag: string }[]; fields: object } }));
    const failed = errors.map((m) => JSON.parse(m.value!) as { url: string; reason: string });
    const expected = Array.from({ length: PAGES }, (_, n) => `http://shop.test/p/${n}`);
    expect(extracted).toHaveLength(records);
    expect(failed).toHaveLength(TEXT_PAGES);
    expect(failed.every((e) => e.reason === 'unsupported-content')).toBe(true);
    if (form === 'page') {
      expect([...extracted.map((e) => e.url), ...failed.map((e) => e.url)].sort()).toEqual(expected.sort());
      expect(extracted.find((e) => e.url === 'http://shop.test/p/100')!.items).toEqual([{ tag: 'tag-2' }, { tag: 'tag-1' }, { tag: 'tag-9' }]);
    } else {
      // The module's items have no url: keyed page URL # index, every one exactly once.
      const keys = expected.slice(TEXT_PAGES).flatMap((url) => [0, 1, 2].map((i) => `${url}#${i}`));
      expect(extracted.map((e) => e.key).sort()).toEqual(keys.sort());
      expect([...new Set(extracted.map((e) => e.url)), ...failed.map((e) => e.url)].sort()).toEqual(expected.sort());
      expect(extracted.filter((e) => e.url === 'http://shop.test/p/100').map((e) => e.fields).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))))
        .toEqual([{ tag: 'tag-1' }, { tag: 'tag-2' }, { tag: 'tag-9' }]);
    }
    const uncommittedSeen = await highWatermarkTotal(`${prefix}extractions`);
    process.stderr.write(`[extract eos --records ${form}] ${PAGES} pages, ${beforeRestart} extraction offsets written before the kill, ${uncommittedSeen} in all (aborted transactions included); read_committed: ${extracted.length + failed.length} records, 0 duplicates\n`);

    const [committed] = await withAdmin((admin) => admin.fetchOffsets({ groupId: group, topics: [`${prefix}pages`] }));
    expect(committed!.partitions.reduce((n, p) => n + Number(p.offset), 0)).toBe(PAGES);
  }, 300_000);

  test('--eos without --worker-id is refused with one line', async () => {
    const r = await runCli(['extract', '--eos'], { env: { KSCRAPE_BROKERS: testBrokers() } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('kscrape: --eos needs --worker-id (stable across restarts: it names the transactional producer)');
  });
});
