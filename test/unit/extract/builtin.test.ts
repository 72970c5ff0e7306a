import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { parseHtml } from '../../../src/html/parse.js';
import { extractBuiltin } from '../../../src/extract/builtin.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/extract/${name}`, import.meta.url), 'utf8');
const builtin = (name: string, url: string, headers: Record<string, string> = {}) => extractBuiltin(parseHtml(fixture(name)), url, headers);

describe('built-in extraction', () => {
  test('a product page: title, description, language, canonical, OpenGraph, Twitter, JSON-LD, microdata, headings, links', () => {
    const { metadata, issues } = builtin('product.html', 'https://shop.test/p/trail-runner-2?ref=home');
    expect(issues).toEqual([]);
    expect(metadata.title).toBe('Trail Runner 2 – Acme Outdoor Shop');
    expect(metadata.description).toBe('Light trail shoe with a grippy sole.');
    expect(metadata.language).toBe('en-gb');
    expect(metadata.canonical_url).toBe('https://shop.test/p/trail-runner-2');
    expect(metadata.opengraph).toEqual({ type: 'product', title: 'Trail Runner 2', image: ['https://shop.test/img/tr2-1.jpg', 'https://shop.test/img/tr2-2.jpg'] });
    expect(metadata.twitter).toEqual({ card: 'summary_large_image', site: '@acmeoutdoor' });
    expect(metadata.json_ld).toEqual([{
      '@context': 'https://schema.org', '@type': 'Product', name: 'Trail Runner 2', sku: 'TR2-42',
      offers: { '@type': 'Offer', price: '129.99', priceCurrency: 'GBP', availability: 'https://schema.org/InStock' },
    }]);
    expect(metadata.microdata).toEqual([{
      type: ['https://schema.org/Product'],
      properties: {
        name: ['Trail Runner 2'],
        image: ['https://shop.test/img/tr2-1.jpg'],
        brand: [{ type: ['https://schema.org/Brand'], properties: { name: ['Acme'] } }],
        offers: [{ type: ['https://schema.org/Offer'], properties: { price: ['129.99'], priceCurrency: ['GBP'], availability: ['https://schema.org/InStock'] } }],
      },
    }]);
    // The script's "<h1>" is text, not a heading.
    expect(metadata.headings).toEqual([{ level: 1, text: 'Trail Runner 2' }, { level: 2, text: 'Reviews' }]);
    // Home, Shoes internal; social and reviews external; #top is not a link to count.
    expect(metadata.links).toEqual({ internal: 2, external: 2 });
  });

  test('an article: Content-Language meta, <base> for canonical and links, every heading level', () => {
    const { metadata } = builtin('article.html', 'https://blog.test/kafka-betreiben');
    expect(metadata.title).toBe('Wie man Kafka betreibt | Blog');
    expect(metadata.language).toBe('de-de');
    expect(metadata.canonical_url).toBe('https://blog.test/posts/kafka-betreiben');
    expect(metadata.opengraph).toEqual({ title: 'Wie man Kafka betreibt', type: 'article', url: 'https://blog.test/kafka-betreiben', description: 'Drei Broker, kein Drama.' });
    expect(metadata.twitter).toEqual({ card: 'summary', title: 'Kafka betreiben' });
    expect(metadata.description).toBeNull();
    expect(metadata.headings.map((h) => `${h.level}:${h.text}`)).toEqual(['1:Wie man Kafka betreibt', '2:Broker', '3:Speicher', '2:Zusammenfassung']);
    expect(metadata.links).toEqual({ internal: 1, external: 0 });
  });

  test('a broken JSON-LD block is reported with its index; the others are kept (a commented one too)', () => {
    const { metadata, issues } = builtin('broken-json-ld.html', 'https://x.test/');
    expect(metadata.json_ld).toEqual([{ '@type': 'Organization', name: 'Good One' }, { '@type': 'WebSite', name: 'In a comment' }]);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.where).toBe('json_ld[1]');
    expect(issues[0]!.message).toMatch(/^not valid JSON: /);
  });

  test('language falls back to the Content-Language header; a page without any has null fields, not missing ones', () => {
    const { metadata } = extractBuiltin(parseHtml('<p>plain</p>'), 'https://x.test/', { 'content-language': 'pt-BR, en' });
    expect(metadata).toEqual({
      title: null, description: null, language: 'pt-br', canonical_url: null, opengraph: {}, twitter: {}, json_ld: [],
      microdata: [], headings: [], links: { internal: 0, external: 0 },
    });
  });
});
