/**
 * The stored ~1 MiB category page (test/fixtures/extract/big-list.html, written once by make-big-list.mjs
 * beside it) through built-in extraction and the shop rules: exact fields, items, reports and metadata.
 */
import { describe, expect, test } from '@jest/globals';
import { extractPage, type PageExtraction } from '../../../src/extract/extract-page.js';
import { loadRulesFile } from '../../../src/extract/rules-loader.js';
import type { PageRecord } from '../../../src/records/index.js';
import { SHOP_RULES_PATH, fixtureBytes } from '../../helpers/extract-pages.js';

const URL_ = 'https://shop.test/c/running-shoes';
const bytes = fixtureBytes('big-list.html');

async function extracted(): Promise<PageExtraction> {
  const body = bytes.toString('utf8');
  const page: PageRecord = {
    url: URL_, final_url: URL_, status: 200, content_type: 'text/html; charset=utf-8', headers: {}, body, truncated: false, bytes: bytes.length,
    fetched_at: 1, elapsed_ms: 1, customer_id: 'default', worker: 'w',
  };
  const verdict = extractPage(page, await loadRulesFile(SHOP_RULES_PATH));
  if (!verdict.ok) throw new Error(`not extracted: ${verdict.reason}`);
  return verdict.extraction;
}

describe('a stored 1 MiB category page', () => {
  test('the shop rules: 920 cards, 896 items (24 sold out, each reported), exact prices, titles, links and ratings', async () => {
    expect(bytes.length).toBeGreaterThan(1_000_000);
    const e = await extracted();
    expect(e.ruleSet).toBe('category');
    expect(e.fields).toEqual({ heading: 'Running shoes', next_page: 'https://shop.test/c/running-shoes?page=2' });
    // The hydration script's `<\/li><li class="product" ...>` strings are script text, not more products.
    expect(e.items).toHaveLength(896);
    expect(e.items[0]).toEqual({ title: 'O’Neill Outdoor Road Glide 7', link: 'https://shop.test/p/o-neill-outdoor-road-glide-7-1?colour=lime', price: { amount: 107.79, currency: 'GBP' }, rating: 2 });
    // An absolute link, and a thousands separator.
    expect(e.items[2]).toEqual({ title: 'Saucy Trail Runner 5', link: 'https://shop.test/p/saucy-trail-runner-5-3?colour=orange', price: { amount: 1026.61, currency: 'GBP' }, rating: 1 });
    // An entity in the title (&amp;).
    expect(e.items[3]).toEqual({ title: 'Fjällräven & Co Tempo 6', link: 'https://shop.test/p/fj-llr-ven-co-tempo-6-4?colour=black', price: { amount: 612.82, currency: 'GBP' }, rating: 4 });
    // On sale: the current price (.price), not the struck-through one (.price-was).
    expect(e.items[4]).toEqual({ title: 'Fjällräven & Co Ridge GTX 8', link: 'https://shop.test/p/fj-llr-ven-co-ridge-gtx-8-5?colour=blue', price: { amount: 1081.54, currency: 'GBP' }, rating: 5 });
    // No rating on the card: null, the item kept.
    expect(e.items[10]).toEqual({ title: 'Fjällräven & Co Ridge GTX 1', link: 'https://shop.test/p/fj-llr-ven-co-ridge-gtx-1-11?colour=grey', price: { amount: 646.64, currency: 'GBP' }, rating: null });
    // A title across lines with a comment in it: the text, whitespace collapsed.
    expect(e.items[12]!.title).toBe('Northwind Tempo 1');
    expect(e.items[895]).toEqual({ title: 'Fjällräven & Co Cloudwalker 4', link: 'https://shop.test/p/fj-llr-ven-co-cloudwalker-4-920?colour=red', price: { amount: 562.82, currency: 'GBP' }, rating: 5 });
    expect(new Set(e.items.map((i) => i.link)).size).toBe(896);
    expect(e.items.every((i) => typeof i.link === 'string' && i.link.startsWith('https://shop.test/p/') && (i.price as { currency: string }).currency === 'GBP')).toBe(true);
    expect(e.issues).toEqual(Array.from({ length: 24 }, (_, k) => ({ where: `items[${37 * (k + 1) - 1}].price`, message: 'required field not found' })));
  });

  test('built-in extraction: title, description, language, canonical, OpenGraph, Twitter, both JSON-LD blocks, headings, link counts', async () => {
    const { metadata } = await extracted();
    expect({ ...metadata, json_ld: undefined }).toEqual({
      title: 'Running shoes | Acme Outdoor Shop',
      description: 'Running shoes for road and trail: 920 styles, free returns.',
      language: 'en-gb',
      canonical_url: 'https://shop.test/c/running-shoes',
      opengraph: { title: 'Running shoes', type: 'website', url: 'https://shop.test/c/running-shoes' },
      twitter: { card: 'summary_large_image', site: '@acmeoutdoor' },
      json_ld: undefined,
      microdata: [],
      headings: [{ level: 1, text: 'Running shoes' }, { level: 2, text: 'Filter' }, { level: 2, text: '920 products' }, { level: 2, text: 'Acme Outdoor' }],
      // 216 menu links, the logo, a breadcrumb, 920 cards, 3 pagination links and 3 footer links; 3 social links.
      links: { internal: 1144, external: 3 },
    });
    const [breadcrumbs, itemList] = metadata!.json_ld as { '@type': string; itemListElement: { position: number; url?: string }[] }[];
    expect(breadcrumbs!['@type']).toBe('BreadcrumbList');
    expect(itemList!['@type']).toBe('ItemList');
    expect(itemList!.itemListElement).toHaveLength(24);
    expect(itemList!.itemListElement[23]).toEqual({ '@type': 'ListItem', position: 24, url: 'https://shop.test/p/acme-cloudwalker-4-24' });
  });
});
