/**
 * One page's extraction as the extractor (and a module's thread) runs it: a JSON page into the record's `json`,
 * a JSON page that does not parse to errors with its reason, and an HTML page parsed exactly once however many
 * rules, built-in extractors and a module read it (the module gets the very document the rules read).
 */
import { describe, expect, test } from '@jest/globals';
import { extractPage } from '../../../src/extract/extract-page.js';
import type { ModuleContext } from '../../../src/extract/module-runner.js';
import { extractionRecords } from '../../../src/extract/outcomes.js';
import { extractPageOutcome } from '../../../src/extract/page-outcome.js';
import { parseRules } from '../../../src/extract/rules-loader.js';
import { parseHtml, type Document } from '../../../src/html/parse.js';
import type { ExtractionRecord, PageRecord } from '../../../src/records/index.js';

const page = (contentType: string, body: string, url = 'https://shop.test/p/1'): PageRecord => ({
  url, final_url: url, status: 200, content_type: contentType, headers: {}, body, truncated: false, bytes: body.length,
  fetched_at: 5, elapsed_ms: 1, customer_id: 'default', worker: 'w',
});
const ctx = { topics: { extractions: 'extractions', errors: 'errors' }, worker: 'w', extractorVersion: 'kscrape/test', now: 9 };

/** The one parser, counted: every document it returns, in order. */
function countingParser() {
  const documents: Document[] = [];
  return { documents, parse: (html: string) => { const d = parseHtml(html); documents.push(d); return d; } };
}

describe('a JSON page', () => {
  test('application/json is parsed into the record\'s json field (no HTML metadata, no rule set)', () => {
    const body = '{"sku":"TR2-42","offers":[{"price":129.99,"currency":"GBP"}],"tags":["trail"]}';
    const verdict = extractPage(page('application/json; charset=utf-8', body), undefined);
    expect(verdict).toMatchObject({ ok: true, extraction: { json: JSON.parse(body), metadata: null, ruleSet: null, document: null, issues: [] } });
    if (!verdict.ok) throw new Error('unreachable');
    const [record] = extractionRecords(page('application/json', body), verdict.extraction, ctx);
    expect(record!.topic).toBe('extractions');
    expect(JSON.parse(record!.value.toString()) as ExtractionRecord).toMatchObject({
      url: 'https://shop.test/p/1', json: { sku: 'TR2-42', offers: [{ price: 129.99, currency: 'GBP' }], tags: ['trail'] }, page: null, fields: {}, items: [],
    });
  });

  test('a JSON page that does not parse is unsupported-content, with the parser\'s reason', () => {
    expect(extractPage(page('application/json', '{"sku": "TR2-42",'), undefined)).toEqual({
      ok: false, reason: 'unsupported-content', detail: expect.stringMatching(/^JSON page that does not parse: .+/),
    });
  });

  test('with a module: the module gets the parsed json and no document; the page is not parsed as HTML', async () => {
    const { documents, parse } = countingParser();
    const seen: Pick<ModuleContext, 'json' | 'document'>[] = [];
    const outcome = await extractPageOutcome(page('application/json', '{"n":2}'), undefined, {
      fn: (_p, c) => { seen.push({ json: c.json, document: c.document }); return { fields: { doubled: (c.json as { n: number }).n * 2 } }; }, timeoutMs: 1_000,
    }, parse);
    expect(outcome).toEqual({ kind: 'extracted', extraction: expect.objectContaining({ json: { n: 2 } }), fromModule: { fields: { doubled: 4 }, items: [] } });
    expect(seen).toEqual([{ json: { n: 2 }, document: null }]);
    expect(documents).toHaveLength(0);
  });
});

describe('an HTML page is parsed once', () => {
  const rules = parseRules(`rule_sets:
  - name: product
    fields:
      name: h1
      price: { selector: .price, type: price }
      tags: { selector: .tag, multiple: true }
    items:
      selector: .review
      fields: { text: p, stars: { selector: .stars, type: number } }
`, 'test-rules.yaml');
  const html = `<html lang="en"><head><title>Shoe</title><meta property="og:title" content="Shoe">
<script type="application/ld+json">{"@type":"Product","name":"Shoe"}</script></head>
<body><h1>Shoe</h1><span class="price">€10.50</span><i class="tag">a</i><i class="tag">b</i>
<div class="review"><p>Good</p><b class="stars">5</b></div><div class="review"><p>Bad</p><b class="stars">1</b></div></body></html>`;

  test('built-in extraction, three fields, an items rule and a module: one parser call, and the module gets that document', async () => {
    const { documents, parse } = countingParser();
    let given: Document | null = null;
    const outcome = await extractPageOutcome(page('text/html', html), rules, {
      fn: (_p, c) => { given = c.document; return c.select('.review').map((el) => ({ said: c.text(c.selectOne('p', el)!) })); }, timeoutMs: 1_000,
    }, parse);
    expect(documents).toHaveLength(1);
    expect(given).toBe(documents[0]);
    expect(outcome).toMatchObject({
      kind: 'extracted',
      extraction: {
        ruleSet: 'product',
        fields: { name: 'Shoe', price: { amount: 10.5, currency: 'EUR' }, tags: ['a', 'b'] },
        items: [{ text: 'Good', stars: 5 }, { text: 'Bad', stars: 1 }],
        metadata: expect.objectContaining({ title: 'Shoe', language: 'en', opengraph: { title: 'Shoe' } }),
      },
      fromModule: { items: [{ said: 'Good' }, { said: 'Bad' }] },
    });
    // Nothing that cannot cross to the extractor's thread: the document stays where it was parsed.
    expect(outcome.kind === 'extracted' && 'document' in outcome.extraction).toBe(false);
  });

  test('without a module, built-in and rules alone: one parser call too', async () => {
    const { documents, parse } = countingParser();
    expect(await extractPageOutcome(page('text/html', html), rules, undefined, parse)).toMatchObject({ kind: 'extracted', extraction: { ruleSet: 'product' } });
    expect(documents).toHaveLength(1);
  });
});
