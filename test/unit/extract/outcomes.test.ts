import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { extractPage, type PageExtraction } from '../../../src/extract/extract-page.js';
import { extractionRecords, type ExtractOutcomeContext } from '../../../src/extract/outcomes.js';
import { parseRules } from '../../../src/extract/rules-loader.js';
import type { ExtractionItemRecord, ExtractionRecord, PageRecord } from '../../../src/records/index.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/extract/${name}`, import.meta.url), 'utf8');
const shopRules = parseRules(fixture('shop-rules.yaml'), 'shop-rules.yaml');
const ctx: ExtractOutcomeContext = { topics: { extractions: 'extractions', errors: 'errors' }, worker: 'w1', extractorVersion: 'kscrape/test', now: 1_700_000_000_000 };

function pageOf(url: string, body: string): PageRecord {
  return {
    url, final_url: url, status: 200, content_type: 'text/html; charset=utf-8', headers: {}, body, truncated: false,
    bytes: body.length, fetched_at: 1_690_000_000_000, elapsed_ms: 12, customer_id: 'c', worker: 'fetcher-1',
  };
}

function extractionOf(page: PageRecord): PageExtraction {
  const verdict = extractPage(page, shopRules);
  if (!verdict.ok) throw new Error(`fixture page refused: ${verdict.detail}`);
  return verdict.extraction;
}

describe('extractions records', () => {
  const list = pageOf('https://shop.test/c/shoes', fixture('list.html'));

  test('page form (the default): one record keyed by the page URL, the items inside', () => {
    const records = extractionRecords(list, extractionOf(list), ctx);
    expect(records).toHaveLength(1);
    expect(records[0]!.key).toBe(list.url);
    const record = JSON.parse(records[0]!.value as string) as ExtractionRecord;
    expect(record.items).toHaveLength(45);
    expect(record.errors).toHaveLength(5);
  });

  test('item form: one record per item keyed by its url-typed field, the page\'s identity on each, its issues once', () => {
    const records = extractionRecords(list, extractionOf(list), ctx, undefined, 'item');
    expect(records).toHaveLength(45);
    const items = records.map((r) => JSON.parse(r.value as string) as ExtractionItemRecord);
    expect(records.map((r) => r.topic)).toEqual(Array(45).fill('extractions'));
    expect(records[0]!.key).toBe('https://shop.test/p/item-1');
    expect(items[0]).toEqual({
      url: list.url, final_url: list.url, host: 'shop.test', fetched_at: list.fetched_at, status: 200, rule_set: 'category',
      item_index: 0, item_count: 45, item_url: 'https://shop.test/p/item-1',
      fields: { title: 'Item number 1', link: 'https://shop.test/p/item-1', price: { amount: 3.01, currency: 'USD' }, rating: 1.5 },
      errors: [10, 20, 30, 40, 50].map((n) => ({ where: `items[${n - 1}].price`, message: 'required field not found' })),
      extractor_version: 'kscrape/test', extracted_at: ctx.now, worker: 'w1',
    });
    expect(items.map((i) => i.item_index)).toEqual([...Array(45).keys()]);
    expect(items.slice(1).every((i) => i.errors.length === 0)).toBe(true);
    // Items 10, 20, ... were dropped: the keys are the kept items' own URLs, all distinct.
    expect(new Set(records.map((r) => r.key)).size).toBe(45);
    expect(records[44]!.key).toBe('https://shop.test/p/item-49');
    expect(records.map((r) => r.key)).not.toContain('https://shop.test/p/item-10');
  });

  test('item form: an item without its URL is keyed by page URL # index; a --module\'s items follow, keyed by their url', () => {
    const page = pageOf('https://shop.test/c/boots', '<ul><li class="product"><span class="title">A</span><span class="price">$1</span></li></ul>');
    const records = extractionRecords(page, extractionOf(page), ctx, { fields: {}, items: [{ url: 'https://shop.test/p/b', stars: 4 }, { stars: 2 }] }, 'item');
    expect(records.map((r) => r.key)).toEqual(['https://shop.test/c/boots#0', 'https://shop.test/p/b', 'https://shop.test/c/boots#2']);
    const items = records.map((r) => JSON.parse(r.value as string) as ExtractionItemRecord);
    expect(items.map((i) => i.item_url)).toEqual([null, 'https://shop.test/p/b', null]);
    expect(items.map((i) => i.item_count)).toEqual([3, 3, 3]);
    expect(items[2]!.fields).toEqual({ stars: 2 });
  });

  test('item form: a page without items still writes its page record', () => {
    const product = pageOf('https://shop.test/p/trail-runner-2', fixture('product.html'));
    const records = extractionRecords(product, extractionOf(product), ctx, undefined, 'item');
    expect(records).toHaveLength(1);
    expect(records[0]!.key).toBe(product.url);
    const record = JSON.parse(records[0]!.value as string) as ExtractionRecord;
    expect(record.rule_set).toBe('product');
    expect(record.fields.name).toBe('Trail Runner 2');
    expect(record.items).toEqual([]);
  });
});
