/**
 * `kscrape extract` as operators run it: fixture pages served on loopback, fetched by `kscrape work` (so the
 * charset and the body are what the worker really writes), then extracted with the shop rules; the records
 * read back from the extractions and errors topics, and the group's offsets checked.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { testBrokers, uniqueName } from '../../helpers/env.js';
import { produceRaw, readAll } from '../../helpers/kafka.js';
import { startTarget, type Target } from '../../helpers/http-targets.js';
import { readGroupOffsets } from '../../helpers/chaos.js';
import { SHOP_RULES_PATH, bigListPage, fixtureBytes, fixtureText } from '../../helpers/extract-pages.js';
import type { ErrorRecord, ExtractionItemRecord, ExtractionRecord, PageRecord } from '../../../src/records/index.js';

/** Small enough for the test producer's default message.max.bytes (the 1 MiB page goes through kscrape work). */
const midList = bigListPage(256 * 1024);
let site: Target;
let origin: string;
let resolveFlag: string;

const serve = (type: string, body: Buffer | string) => (_req: unknown, res: import('node:http').ServerResponse) => {
  res.setHeader('content-type', type);
  res.end(body);
};

beforeAll(async () => {
  site = await startTarget('127.0.3.1', {
    '/robots.txt': serve('text/plain', 'User-agent: *\nAllow: /\n'),
    '/p/trail-runner-2': serve('text/html; charset=utf-8', fixtureBytes('product.html')),
    '/c/shoes': serve('text/html', fixtureBytes('list.html')),
    '/blog/kafka': serve('text/html', fixtureBytes('article.html')),
    '/broken': serve('text/html', fixtureBytes('broken-json-ld.html')),
    // No charset in the header: only the page's own <meta charset="windows-1252"> says how to read it.
    '/p/cafe': serve('text/html', fixtureBytes('windows-1252.html')),
    // The stored ~1 MiB category page (big-list.html; exact fields in test/unit/extract/big-list.test.ts).
    '/c/all': serve('text/html', fixtureBytes('big-list.html')),
    '/notes.txt': serve('text/plain', 'just text'),
    '/empty': serve('text/html', ''),
  });
  const port = new URL(site.origin).port;
  origin = `http://shop.test:${port}`;
  resolveFlag = `shop.test:${port}:127.0.3.1`;
});

afterAll(async () => {
  await site.close();
});

async function pipeline() {
  const prefix = `${uniqueName('xt')}.`;
  const env = { KSCRAPE_BROKERS: testBrokers(), KSCRAPE_TOPIC_PREFIX: prefix };
  const partitions = ['urls=1', 'pages=2', 'extractions=1', 'errors=1'].flatMap((p) => ['--partitions', p]);
  const created = await runCli(['topics', 'create', '--replication-factor', '1', ...partitions], { env, timeoutMs: 90_000 });
  expect(created.code).toBe(0);
  return { prefix, env };
}

const extractArgs = (group: string, extra: string[]) => ['extract', '--group', group, '--commit-interval', '300ms', '--status-interval', '2s', ...extra];
const byUrl = <T extends { url: string | null }>(records: T[]) => new Map(records.map((r) => [r.url!, r]));

describe('kscrape extract (CLI, pages fetched by kscrape work)', () => {
  test('fixture pages: exact fields, items, built-in data; non-HTML and empty pages to errors; offsets committed', async () => {
    const { prefix, env } = await pipeline();
    const paths = ['/p/trail-runner-2', '/c/shoes', '/blog/kafka', '/broken', '/p/cafe', '/c/all', '/notes.txt', '/empty'];
    const urls = paths.map((p) => `${origin}${p}`);
    expect((await runCli(['produce'], { env, input: `${urls.join('\n')}\n`, timeoutMs: 60_000 })).code).toBe(0);
    const work = await runCli(['work', '--group', uniqueName('w'), '--resolve', resolveFlag, '--allow-cidr', '127.0.3.0/24',
      '--max-page-bytes', '2MiB', '--max-messages', String(urls.length), '--commit-interval', '300ms'], { env, timeoutMs: 120_000 });
    expect(work.code).toBe(0);
    const pages = (await readAll(`${prefix}pages`)).map((m) => JSON.parse(m.value!) as PageRecord);
    expect(pages).toHaveLength(urls.length);
    // A message that is not a page record at all.
    await produceRaw(`${prefix}pages`, [{ key: 'junk', value: 'not json', partition: 0 }]);

    const group = uniqueName('xg');
    const r = await runCli([...extractArgs(group, ['--rules', SHOP_RULES_PATH, '--max-messages', String(urls.length + 1), '--json'])], { env, timeoutMs: 120_000 });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { consumed: number; extracted: number; failed: number; malformed: number };
    expect(summary).toMatchObject({ consumed: 9, extracted: 6, failed: 3, malformed: 1 });

    const extractions = byUrl((await readAll(`${prefix}extractions`)).map((m) => JSON.parse(m.value!) as ExtractionRecord));
    expect([...extractions.keys()].sort()).toEqual(urls.slice(0, 6).sort());

    const product = extractions.get(`${origin}/p/trail-runner-2`)!;
    expect(product.rule_set).toBe('product');
    expect(product.host).toBe(new URL(origin).host);
    expect(product.status).toBe(200);
    expect(product.fields).toEqual({
      name: 'Trail Runner 2', price: { amount: 129.99, currency: 'GBP' }, image: `${origin}/img/tr2-1.jpg`,
      tags: ['trail', 'running', 'waterproof'], description: '<p>Light <b>and</b> grippy.</p>', released: '2026-03-01',
      in_stock: true, sku: 'TR2-42', gtin: null,
    });
    expect(product.page!.title).toBe('Trail Runner 2 – Acme Outdoor Shop');
    expect(product.page!.json_ld).toEqual([expect.objectContaining({ '@type': 'Product', sku: 'TR2-42' })]);
    expect(product.page!.microdata[0]!.type).toEqual(['https://schema.org/Product']);
    expect(product.errors).toEqual([]);
    expect(product.extractor_version).toMatch(/^kscrape\/\d+\.\d+\.\d+ rules=shop-rules\.yaml$/);
    expect(product.fetched_at).toBe(pages.find((p) => p.url.endsWith('/p/trail-runner-2'))!.fetched_at);

    const list = extractions.get(`${origin}/c/shoes`)!;
    expect(list.rule_set).toBe('category');
    expect(list.items).toHaveLength(45);
    expect(list.items[0]).toEqual({ title: 'Item number 1', link: `${origin}/p/item-1`, price: { amount: 3.01, currency: 'USD' }, rating: 1.5 });
    expect(list.errors).toHaveLength(5);

    const article = extractions.get(`${origin}/blog/kafka`)!;
    expect(article.rule_set).toBeNull();
    expect(article.page!.opengraph).toEqual({ title: 'Wie man Kafka betreibt', type: 'article', url: 'https://blog.test/kafka-betreiben', description: 'Drei Broker, kein Drama.' });
    expect(article.page!.language).toBe('de-de');

    const broken = extractions.get(`${origin}/broken`)!;
    expect(broken.page!.json_ld).toHaveLength(2);
    expect(broken.errors).toEqual([expect.objectContaining({ where: 'json_ld[1]' })]);

    // windows-1252 with only a meta charset, through work and extract: the accents and the euro sign survive.
    const cafe = extractions.get(`${origin}/p/cafe`)!;
    expect(cafe.page!.title).toBe('Café crème – 10€');
    expect(cafe.page!.language).toBe('fr');
    expect(cafe.page!.headings).toEqual([{ level: 1, text: 'Café crème brûlée' }]);

    const all = extractions.get(`${origin}/c/all`)!;
    expect(pages.find((p) => p.url.endsWith('/c/all'))!.bytes).toBe(fixtureBytes('big-list.html').length);
    expect(all.rule_set).toBe('category');
    expect(all.fields).toEqual({ heading: 'Running shoes', next_page: `${origin}/c/all?page=2` });
    expect(all.items).toHaveLength(896);
    expect(all.items[0]).toEqual({ title: 'O’Neill Outdoor Road Glide 7', link: `${origin}/p/o-neill-outdoor-road-glide-7-1?colour=lime`, price: { amount: 107.79, currency: 'GBP' }, rating: 2 });
    expect(all.items[2]!.link).toBe('https://shop.test/p/saucy-trail-runner-5-3?colour=orange'); // absolute in the page
    expect(all.items[895]).toEqual({ title: 'Fjällräven & Co Cloudwalker 4', link: `${origin}/p/fj-llr-ven-co-cloudwalker-4-920?colour=red`, price: { amount: 562.82, currency: 'GBP' }, rating: 5 });
    expect(all.errors).toHaveLength(24);
    expect(all.page!.links).toEqual({ internal: 1144, external: 3 }); // by host name, the port aside

    const errors = byUrl((await readAll(`${prefix}errors`)).map((m) => JSON.parse(m.value!) as ErrorRecord));
    expect(errors.get(`${origin}/notes.txt`)).toMatchObject({ reason: 'unsupported-content', status: 200, detail: 'content type text/plain is neither HTML nor JSON' });
    expect(errors.get(`${origin}/empty`)).toMatchObject({ reason: 'empty-body', status: 200 });
    const malformed = [...errors.values()].find((e) => e.reason === 'malformed')!;
    expect(malformed).toMatchObject({ url: null, detail: 'not a page record (not JSON): not json' });

    const offsets = await readGroupOffsets(testBrokers(), group, `${prefix}pages`);
    expect(offsets).toMatchObject({ committed: 9, high: 9 });
  }, 300_000);

  test('--records item: a list page writes one record per item (45 of the fixture\'s 50, the 5 reported once), a product page its page record; offsets committed after all', async () => {
    const { prefix, env } = await pipeline();
    const page = (path: string, body: string): PageRecord => ({
      url: `http://shop.test${path}`, final_url: `http://shop.test${path}`, status: 200, content_type: 'text/html; charset=utf-8', headers: {},
      body, truncated: false, bytes: body.length, fetched_at: 7, elapsed_ms: 1, customer_id: 'default', worker: 'w',
    });
    const inputs = [page('/c/shoes', fixtureText('list.html')), page('/p/trail-runner-2', fixtureText('product.html')), page('/c/all', midList.html)];
    await produceRaw(`${prefix}pages`, inputs.map((p) => ({ key: p.url, value: JSON.stringify(p) })));
    const group = uniqueName('xg');
    const r = await runCli(extractArgs(group, ['--rules', SHOP_RULES_PATH, '--records', 'item', '--max-messages', '3', '--json']), { env, timeoutMs: 120_000 });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ consumed: 3, extracted: 3, failed: 0, items: 45 + midList.items });

    const messages = await readAll(`${prefix}extractions`);
    const records = messages.map((m) => ({ key: m.key, record: JSON.parse(m.value!) as ExtractionItemRecord & Partial<ExtractionRecord> }));
    expect(records).toHaveLength(45 + 1 + midList.items);
    const shoes = records.filter((r) => r.record.url === 'http://shop.test/c/shoes');
    expect(shoes).toHaveLength(45);
    expect(shoes.map((r) => r.record.item_index).sort((a, b) => a - b)).toEqual([...Array(45).keys()]);
    expect(shoes.every((r) => r.record.rule_set === 'category' && r.record.fetched_at === 7 && r.record.item_count === 45)).toBe(true);
    expect(shoes.find((r) => r.record.item_index === 0)).toEqual({
      key: 'http://shop.test/p/item-1',
      record: expect.objectContaining({
        item_url: 'http://shop.test/p/item-1',
        fields: { title: 'Item number 1', link: 'http://shop.test/p/item-1', price: { amount: 3.01, currency: 'USD' }, rating: 1.5 },
        errors: [10, 20, 30, 40, 50].map((n) => ({ where: `items[${n - 1}].price`, message: 'required field not found' })),
      }),
    });
    expect(shoes.flatMap((r) => r.record.errors)).toHaveLength(5);
    expect(new Set(shoes.map((r) => r.key)).size).toBe(45);

    const product = records.filter((r) => r.record.url === 'http://shop.test/p/trail-runner-2');
    expect(product).toHaveLength(1);
    expect(product[0]!.key).toBe('http://shop.test/p/trail-runner-2');
    expect(product[0]!.record).toMatchObject({ rule_set: 'product', items: [], fields: expect.objectContaining({ name: 'Trail Runner 2' }) });
    expect(product[0]!.record.item_index).toBeUndefined();

    const all = records.filter((r) => r.record.url === 'http://shop.test/c/all');
    expect(new Set(all.map((r) => r.key)).size).toBe(midList.items);
    expect(all.find((r) => r.record.item_index === midList.items - 1)!.key).toBe(`http://shop.test/p/item-${midList.items}`);

    const offsets = await readGroupOffsets(testBrokers(), group, `${prefix}pages`);
    expect(offsets).toMatchObject({ committed: 3, high: 3 });
  }, 300_000);

  test('a --module that throws, hangs or returns nonsense sends that page to errors (extract-failed); the others are extracted', async () => {
    const { prefix, env } = await pipeline();
    const dir = mkdtempSync(join(tmpdir(), 'xt-module-'));
    const modulePath = join(dir, 'extract.mjs');
    writeFileSync(modulePath, `export default async function extract(page, { select, text }) {
  if (page.url.includes('/throw')) throw new Error('no reviews here');
  if (page.url.includes('/hang')) return new Promise(() => {});
  if (page.url.includes('/weird')) return 42;
  return select('.review').map((el) => ({ stars: Number(el.attribs['data-stars']), text: text(el) }));
}
`);
    const page = (path: string): PageRecord => ({
      url: `http://shop.test${path}`, final_url: `http://shop.test${path}`, status: 200, content_type: 'text/html', headers: {},
      body: '<h1>P</h1><div class="review" data-stars="4"> Good </div><div class="review" data-stars="2">Meh</div>',
      truncated: false, bytes: 90, fetched_at: 1, elapsed_ms: 1, customer_id: 'default', worker: 'w',
    });
    const paths = ['/ok', '/throw', '/hang', '/weird', '/ok2'];
    await produceRaw(`${prefix}pages`, paths.map((p) => ({ key: `http://shop.test${p}`, value: JSON.stringify(page(p)) })));
    const group = uniqueName('xg');
    const r = await runCli(extractArgs(group, ['--module', modulePath, '--module-timeout', '500ms', '--max-messages', '5', '--json']), { env, timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ extracted: 2, failed: 3, moduleFailures: 3 });
    const extractions = (await readAll(`${prefix}extractions`)).map((m) => JSON.parse(m.value!) as ExtractionRecord);
    expect(extractions.map((e) => e.url).sort()).toEqual(['http://shop.test/ok', 'http://shop.test/ok2']);
    expect(extractions[0]!.items).toEqual([{ stars: 4, text: 'Good' }, { stars: 2, text: 'Meh' }]);
    expect(extractions[0]!.extractor_version).toMatch(/ module=extract\.mjs$/);
    const errors = byUrl((await readAll(`${prefix}errors`)).map((m) => JSON.parse(m.value!) as ErrorRecord));
    expect(errors.get('http://shop.test/throw')).toMatchObject({ reason: 'extract-failed', detail: 'the module threw: no reviews here' });
    expect(errors.get('http://shop.test/hang')).toMatchObject({ reason: 'extract-failed', detail: 'the module took longer than 500 ms' });
    expect(errors.get('http://shop.test/weird')).toMatchObject({ reason: 'extract-failed', detail: expect.stringMatching(/^the module returned number/) });
    expect(await readGroupOffsets(testBrokers(), group, `${prefix}pages`)).toMatchObject({ committed: 5, high: 5 });
  }, 180_000);

  test('a --module that spins forever on one page (never yields): that page to errors (extract-failed, the timeout named), the others extracted, every offset committed, exit by --max-messages', async () => {
    const { prefix, env } = await pipeline();
    const dir = mkdtempSync(join(tmpdir(), 'xt-spin-'));
    const modulePath = join(dir, 'spin.mjs');
    // Synchronous: in the consumer's own thread this would block the event loop, and with it the consumer, for good.
    writeFileSync(modulePath, `export default function extract(page, { select, text }) {
  if (page.url.includes('/spin')) for (;;) { /* never yields */ }
  return select('.review').map((el) => ({ text: text(el) }));
}
`);
    const page = (path: string): PageRecord => ({
      url: `http://shop.test${path}`, final_url: `http://shop.test${path}`, status: 200, content_type: 'text/html', headers: {},
      body: '<div class="review">Good</div>', truncated: false, bytes: 30, fetched_at: 1, elapsed_ms: 1, customer_id: 'default', worker: 'w',
    });
    const paths = ['/a', '/b', '/spin', '/c', '/d', '/e'];
    await produceRaw(`${prefix}pages`, paths.map((p, i) => ({ key: `http://shop.test${p}`, value: JSON.stringify(page(p)), partition: i % 2 })));
    const group = uniqueName('xg');
    const r = await runCli(extractArgs(group, ['--module', modulePath, '--module-timeout', '500ms', '--max-messages', String(paths.length), '--json']), { env, timeoutMs: 60_000 });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ consumed: 6, extracted: 5, failed: 1, moduleFailures: 1 });
    const extractions = (await readAll(`${prefix}extractions`)).map((m) => JSON.parse(m.value!) as ExtractionRecord);
    expect(extractions.map((e) => e.url).sort()).toEqual(['/a', '/b', '/c', '/d', '/e'].map((p) => `http://shop.test${p}`));
    expect(extractions.every((e) => JSON.stringify(e.items) === JSON.stringify([{ text: 'Good' }]))).toBe(true);
    const errors = (await readAll(`${prefix}errors`)).map((m) => JSON.parse(m.value!) as ErrorRecord);
    expect(errors).toEqual([expect.objectContaining({
      url: 'http://shop.test/spin', reason: 'extract-failed', detail: 'the module took longer than 500 ms (it did not yield; its thread was replaced)',
    })]);
    expect(await readGroupOffsets(testBrokers(), group, `${prefix}pages`)).toMatchObject({ committed: 6, high: 6 });
  }, 120_000);

  test('an invalid rules file or module is refused at start: one line with the file, line and reason, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xt-rules-'));
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, 'rule_sets:\n  - name: shop\n    fields:\n      price: { selector: .price, type: prise }\n');
    const env = { KSCRAPE_BROKERS: testBrokers(), KSCRAPE_TOPIC_PREFIX: `${uniqueName('xt')}.` };
    const bad = await runCli(['extract', '--rules', rules], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(`kscrape: ${rules}:4: rule_sets[0].fields.price.type: 'prise' is not one of string, number, integer, price, url, date, boolean`);
    const noModule = await runCli(['extract', '--module', join(dir, 'missing.mjs')], { env });
    expect(noModule.code).toBe(2);
    expect(noModule.stderr).toMatch(/^kscrape: --module .*missing\.mjs: cannot load it: /);
    expect(noModule.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('extract test fetches a URL (through the address guard, --resolve to a loopback server) and prints what the rules take; a non-HTML URL prints its errors record, exit 1', async () => {
    const guard = ['--resolve', resolveFlag, '--allow-cidr', '127.0.3.0/24'];
    const r = await runCli(['extract', 'test', '--rules', SHOP_RULES_PATH, `${origin}/p/trail-runner-2`, ...guard], { timeoutMs: 60_000 });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const record = JSON.parse(r.stdout) as ExtractionRecord & { topic: string };
    expect(record).toMatchObject({ topic: 'extractions', url: `${origin}/p/trail-runner-2`, status: 200, rule_set: 'product', errors: [] });
    expect(record.fields).toEqual({
      name: 'Trail Runner 2', price: { amount: 129.99, currency: 'GBP' }, image: `${origin}/img/tr2-1.jpg`,
      tags: ['trail', 'running', 'waterproof'], description: '<p>Light <b>and</b> grippy.</p>', released: '2026-03-01',
      in_stock: true, sku: 'TR2-42', gtin: null,
    });

    const text = await runCli(['extract', 'test', '--rules', SHOP_RULES_PATH, `${origin}/notes.txt`, ...guard], { timeoutMs: 60_000 });
    expect([text.code, text.stderr]).toEqual([1, '']);
    expect(JSON.parse(text.stdout)).toMatchObject({
      topic: 'errors', url: `${origin}/notes.txt`, reason: 'unsupported-content', status: 200, detail: 'content type text/plain is neither HTML nor JSON',
    });

    // Without the guard flags the name does not resolve to a loopback address kscrape may fetch: one line, no record.
    const refused = await runCli(['extract', 'test', '--rules', SHOP_RULES_PATH, `${origin}/p/trail-runner-2`, '--resolve', resolveFlag], { timeoutMs: 60_000 });
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
  }, 120_000);

  test('extract test prints what the rules take from a saved page', async () => {
    const r = await runCli(['extract', 'test', '--rules', SHOP_RULES_PATH, new URL('../../fixtures/extract/list.html', import.meta.url).pathname, '--url', 'https://shop.test/c/shoes']);
    expect(r.code).toBe(0);
    const record = JSON.parse(r.stdout) as ExtractionRecord & { topic: string };
    expect(record.topic).toBe('extractions');
    expect(record.rule_set).toBe('category');
    expect(record.items).toHaveLength(45);

    // A module that never yields ends in its timeout here too (it runs in a thread, as in extract): exit 1, the errors record.
    const dir = mkdtempSync(join(tmpdir(), 'xt-test-spin-'));
    writeFileSync(join(dir, 'spin.mjs'), 'export default function extract() { for (;;) { /* never yields */ } }\n');
    const spin = await runCli(['extract', 'test', '--module', join(dir, 'spin.mjs'), '--module-timeout', '300ms',
      new URL('../../fixtures/extract/list.html', import.meta.url).pathname, '--url', 'https://shop.test/c/shoes'], { timeoutMs: 30_000 });
    expect([spin.code, spin.stderr]).toEqual([1, '']);
    expect(JSON.parse(spin.stdout)).toMatchObject({
      topic: 'errors', url: 'https://shop.test/c/shoes', reason: 'extract-failed', detail: 'the module took longer than 300 ms (it did not yield; its thread was replaced)',
    });
    // process.exit in a module ends its thread only; so does an exception thrown outside the call: the page fails, said.
    for (const [name, code, detail] of [
      ['exit.mjs', 'export default function extract() { process.exit(3); }', "the module's thread exited (code 3)"],
      ['stray.mjs', 'export default function extract() { setTimeout(() => { throw new Error("stray"); }, 0); return new Promise((r) => setTimeout(r, 200)); }', "the module's thread failed: stray"],
    ] as const) {
      writeFileSync(join(dir, name), `${code}\n`);
      const r = await runCli(['extract', 'test', '--module', join(dir, name), new URL('../../fixtures/extract/list.html', import.meta.url).pathname], { timeoutMs: 30_000 });
      expect([name, r.code, r.stderr]).toEqual([name, 1, '']);
      expect(JSON.parse(r.stdout)).toMatchObject({ topic: 'errors', reason: 'extract-failed', detail });
    }
  });
});
