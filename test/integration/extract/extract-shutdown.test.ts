/**
 * `kscrape extract` stopped by SIGTERM mid-run: the pages being extracted finish, their records are delivered
 * and their offsets committed, it exits 0 and says why; a second run with --idle-exit extracts the rest. Across
 * the two runs every page has its record exactly once (none lost, and a graceful stop leaves nothing delivered
 * but uncommitted), and the group's committed offsets are the end offsets.
 */
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { testBrokers, uniqueName } from '../../helpers/env.js';
import { highWatermarkTotal, produceRaw, readAll } from '../../helpers/kafka.js';
import { readGroupOffsets, startKscrape, stopKscrape, waitFor } from '../../helpers/chaos.js';
import { productPage } from '../../helpers/extract-pages.js';
import type { ExtractionRecord, PageRecord } from '../../../src/records/index.js';

const PAGES = 300;

describe('kscrape extract: graceful shutdown', () => {
  test('SIGTERM mid-run: exit 0, the log says so; a second run with --idle-exit leaves every page with exactly its record and the offsets committed to the end', async () => {
    const prefix = `${uniqueName('xtstop')}.`;
    const env = { KSCRAPE_BROKERS: testBrokers(), KSCRAPE_TOPIC_PREFIX: prefix };
    const partitions = ['pages=3', 'extractions=2', 'errors=1'].flatMap((p) => ['--partitions', p]);
    expect((await runCli(['topics', 'create', '--replication-factor', '1', ...partitions], { env, timeoutMs: 90_000 })).code).toBe(0);
    const page = (n: number): PageRecord => {
      const url = `http://shop.test/p/${n}`;
      return {
        url, final_url: url, status: 200, content_type: 'text/html; charset=utf-8', headers: {}, body: productPage(n),
        truncated: false, bytes: 0, fetched_at: n, elapsed_ms: 1, customer_id: 'default', worker: 'w',
      };
    };
    for (let from = 0; from < PAGES; from += 100) {
      await produceRaw(`${prefix}pages`, Array.from({ length: 100 }, (_, i) => page(from + i)).map((p) => ({ key: p.url, value: JSON.stringify(p) })));
    }
    // A module that takes a little time per page, so the signal lands mid-run whatever the machine's speed, with
    // pages in the module's threads when it does.
    const dir = mkdtempSync(join(tmpdir(), 'xt-stop-'));
    const modulePath = join(dir, 'slow.mjs');
    writeFileSync(modulePath, 'export default async (page, { selectOne, text }) => { await new Promise((r) => setTimeout(r, 20)); return { fields: { title: text(selectOne("h1")) } }; };\n');

    const group = uniqueName('xg');
    const args = ['extract', '--group', group, '--module', modulePath, '--concurrency', '2', '--commit-interval', '300ms', '--status-interval', '2s'];
    const first = startKscrape(args, env);
    await waitFor('the first extractions', async () => (await highWatermarkTotal(`${prefix}extractions`)) >= 40, 60_000, 100);
    const stopped = await stopKscrape(first, 'SIGTERM');
    const log = first.lines.map((l) => l.text).join('\n');
    expect([stopped.code, stopped.signal]).toEqual([0, null]);
    expect(log).toMatch(/stopping: SIGTERM received/);
    expect(log).not.toMatch(/^kscrape: /m);
    const afterStop = await highWatermarkTotal(`${prefix}extractions`);
    expect(afterStop).toBeLessThan(PAGES); // stopped mid-run, not after
    // A graceful stop commits what it delivered: the committed offsets count exactly the records written.
    expect(await readGroupOffsets(testBrokers(), group, `${prefix}pages`)).toMatchObject({ committed: afterStop });

    const second = await runCli([...args, '--idle-exit', '3s', '--json'], { env, timeoutMs: 120_000 });
    expect([second.code, second.stderr.split('\n').filter((l) => l.startsWith('kscrape: '))]).toEqual([0, []]);
    expect(JSON.parse(second.stdout)).toMatchObject({ extracted: PAGES - afterStop, failed: 0 });

    const records = (await readAll(`${prefix}extractions`)).map((m) => ({ key: m.key, record: JSON.parse(m.value!) as ExtractionRecord }));
    process.stderr.write(`[extract shutdown] ${afterStop} of ${PAGES} pages extracted before SIGTERM, ${records.length} records in all\n`);
    const expected = Array.from({ length: PAGES }, (_, n) => `http://shop.test/p/${n}`);
    expect(records.map((r) => r.record.url).sort()).toEqual(expected.sort());
    for (const { key, record } of records) {
      const n = Number(record.url.split('/').pop());
      expect([key, record.fetched_at, record.fields]).toEqual([record.url, n, { title: `Product ${n}` }]);
    }
    expect(await readGroupOffsets(testBrokers(), group, `${prefix}pages`)).toMatchObject({ committed: PAGES, high: PAGES });
  }, 300_000);
});
