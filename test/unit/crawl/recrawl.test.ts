import { describe, expect, test } from '@jest/globals';
import { envelopeValidators, recrawlFields, withValidators } from '../../../src/crawl/recrawl.js';
import type { UrlEnvelope } from '../../../src/records/index.js';

const plain: UrlEnvelope = { url: 'http://a.test/p', host: 'a.test', customer_id: 'c', priority: 0, discovered_at: 1, attempt: 0 };
const crawl: UrlEnvelope = { ...plain, crawl_id: 'k', depth: 0 };

describe('recrawl validators in the envelope', () => {
  test('a crawl envelope carrying validators makes the fetch conditional; others do not', () => {
    expect(envelopeValidators({ ...crawl, etag: '"e"', last_modified: 'D' })).toEqual({ validators: { etag: '"e"', lastModified: 'D' } });
    expect(envelopeValidators({ ...crawl, last_modified: 'D' })).toEqual({ validators: { lastModified: 'D' } });
    expect(envelopeValidators(crawl)).toEqual({});
    expect(envelopeValidators({ ...plain, etag: '"e"' })).toEqual({});
  });

  test('validators handed back by the store become envelope fields, last in wire order', () => {
    expect(recrawlFields({ etag: '"e"' })).toEqual({ etag: '"e"' });
    expect(recrawlFields(undefined)).toEqual({});
    const seed = withValidators({ ...crawl, seed: 'http://a.test/' }, { etag: '"e"', lastModified: 'D' });
    expect(Object.keys(seed).slice(-3)).toEqual(['seed', 'etag', 'last_modified']);
    expect(withValidators(plain, { etag: '"e"' })).toBe(plain);
    expect(withValidators(crawl, undefined)).toBe(crawl);
  });
});
