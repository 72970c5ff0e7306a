/**
 * The README's "Extracting data" section shows a rules file for a shop and says what each field takes. Each
 * rules block of that section is loaded with the real rules parser and applied to the shop fixtures
 * (test/fixtures/extract), and what the README says it takes is asserted: the example cannot drift from the
 * parser (a renamed key, a type that is gone) or from what it claims.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { extractPage, type PageExtraction } from '../../../src/extract/extract-page.js';
import { parseRules } from '../../../src/extract/rules-loader.js';
import type { PageRecord } from '../../../src/records/index.js';
import { fencedBlocks } from '../../helpers/readme-blocks.js';
import { fixtureText } from '../../helpers/extract-pages.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const start = readme.indexOf('\n### Extracting data');
const end = readme.slice(start + 1).search(/\n##+ /) + start + 1;
const section = readme.slice(0, end);
const offset = readme.slice(0, start).split('\n').length - 1;
/** The section's rules blocks (YAML, or the same as JSON), with their README line. */
const rulesBlocks = fencedBlocks(section).filter((b) => b.line > offset && ['yaml', 'json'].includes(b.kind) && b.body.includes('rule_sets'));

const page = (url: string, body: string): PageRecord => ({
  url, final_url: url, status: 200, content_type: 'text/html; charset=utf-8', headers: {}, body, truncated: false, bytes: body.length,
  fetched_at: 1, elapsed_ms: 1, customer_id: 'default', worker: 'w',
});
const extracted = (verdict: ReturnType<typeof extractPage>): PageExtraction => {
  if (!verdict.ok) throw new Error(`not extracted: ${verdict.reason} ${verdict.detail}`);
  return verdict.extraction;
};

describe('README "Extracting data": the shop rules', () => {
  test('the section has a rules example', () => {
    expect(start).toBeGreaterThan(0);
    expect(rulesBlocks.length).toBeGreaterThanOrEqual(1);
  });

  test.each(rulesBlocks.map((b) => [`README.md:${b.line}`, b.body] as const))('%s loads and takes what the README says from the shop fixtures', (at, body) => {
    const rules = parseRules(body, at);
    expect(rules.ruleSets.map((s) => s.name)).toEqual(['product', 'category']);

    // The product rule set: "price ... {"amount": 129.99, "currency": "GBP"}", "image ... resolved against the
    // page", "tags ... every match, as a list", "description ... inner HTML", "sku ... the selector's text".
    const product = extracted(extractPage(page('https://shop.test/p/trail-runner-2', fixtureText('product.html')), rules));
    expect(product.ruleSet).toBe('product');
    expect(product.fields).toEqual({
      name: 'Trail Runner 2',
      price: { amount: 129.99, currency: 'GBP' },
      image: 'https://shop.test/img/tr2-1.jpg',
      tags: ['trail', 'running', 'waterproof'],
      description: '<p>Light <b>and</b> grippy.</p>',
      released: '2026-03-01',
      sku: 'TR2-42',
    });
    expect(product.issues).toEqual([]);
    // "hosts: [shop.test, "*.shop.test"]": a subdomain is the same shop; another host is not.
    expect(extracted(extractPage(page('https://www.shop.test/p/trail-runner-2', fixtureText('product.html')), rules)).ruleSet).toBe('product');
    expect(extracted(extractPage(page('https://other.test/p/trail-runner-2', fixtureText('product.html')), rules)).ruleSet).toBeNull();

    // The category rule set: "a list page: one item per match, the fields inside it"; an item without a
    // required field is left out and reported (the fixture's every tenth product has no price).
    const list = extracted(extractPage(page('https://shop.test/c/shoes', fixtureText('list.html')), rules));
    expect(list.ruleSet).toBe('category');
    expect(list.items).toHaveLength(45);
    expect(list.items[0]).toEqual({ title: 'Item number 1', link: 'https://shop.test/p/item-1', price: { amount: 3.01, currency: 'USD' } });
    expect(list.items.map((i) => i.title)).not.toContain('Item number 10');
    expect(list.issues).toEqual([10, 20, 30, 40, 50].map((n) => ({ where: `items[${n - 1}].price`, message: 'required field not found' })));
  });
});
