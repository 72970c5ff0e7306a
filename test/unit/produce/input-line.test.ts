import { describe, expect, test } from '@jest/globals';
import { parseInputLine } from '../../../src/produce/input-line.js';

const defaults = { customerId: 'default', priority: 0, maxUrlLength: 4096 };
const NOW = 1_700_000_000_000;

describe('parseInputLine', () => {
  test('--crawl: a plain URL becomes a seed (crawl_id, depth 0); a JSON line keeps its own crawl fields (fallback replay)', () => {
    const crawl = { ...defaults, crawlId: 'c1' };
    expect(parseInputLine('http://a.example/', 'auto', crawl, NOW)).toMatchObject({ kind: 'envelope', envelope: { crawl_id: 'c1', depth: 0 } });
    const found = JSON.stringify({ url: 'http://a.example/x', crawl_id: 'c2', depth: 3, referrer: 'http://a.example/', seed: 'http://a.example/' });
    expect(parseInputLine(found, 'auto', defaults, NOW)).toMatchObject({ kind: 'envelope', envelope: { crawl_id: 'c2', depth: 3, referrer: 'http://a.example/', seed: 'http://a.example/' } });
    expect(parseInputLine(JSON.stringify({ url: 'http://a.example/' }), 'auto', crawl, NOW)).toMatchObject({ envelope: { crawl_id: 'c1', depth: 0 } });
    expect(parseInputLine(JSON.stringify({ url: 'http://a.example/', crawl_id: 'c', depth: -1 }), 'auto', defaults, NOW)).toMatchObject({ kind: 'reject', reason: 'bad-field' });
    const plain = parseInputLine('http://a.example/', 'auto', defaults, NOW);
    expect(plain.kind === 'envelope' && 'crawl_id' in plain.envelope).toBe(false);
  });

  test('skips blank lines and # comments', () => {
    for (const line of ['', '   ', '# a comment', '  # indented']) expect(parseInputLine(line, 'auto', defaults, NOW)).toEqual({ kind: 'skip' });
  });

  test('a plain URL gets the defaults, attempt 0, discovered now', () => {
    expect(parseInputLine('https://A.example/x', 'auto', { ...defaults, customerId: 'acme', priority: 3 }, NOW)).toEqual({
      kind: 'envelope',
      envelope: { url: 'https://a.example/x', host: 'a.example', customer_id: 'acme', priority: 3, discovered_at: NOW, attempt: 0 },
    });
  });

  test('a JSON line keeps customer, priority, discovered_at and attempt (the fallback file replays exactly)', () => {
    const line = JSON.stringify({ url: 'http://b.example/', host: 'ignored', customer_id: 'c1', priority: 7, discovered_at: 123, attempt: 2 });
    expect(parseInputLine(line, 'auto', defaults, NOW)).toEqual({
      kind: 'envelope',
      envelope: { url: 'http://b.example/', host: 'b.example', customer_id: 'c1', priority: 7, discovered_at: 123, attempt: 2 },
    });
    expect(parseInputLine('{"url":"http://b.example/"}', 'jsonl', defaults, NOW)).toMatchObject({ envelope: { customer_id: 'default', priority: 0, attempt: 0, discovered_at: NOW } });
  });

  test('bad JSON lines and fields are rejected with a reason', () => {
    const r = (line: string, format: 'auto' | 'jsonl' | 'text' = 'auto') => {
      const p = parseInputLine(line, format, defaults, NOW);
      return p.kind === 'reject' ? p.reason : p.kind;
    };
    expect(r('{"url": ')).toBe('bad-json');
    expect(r('{}')).toBe('bad-field');
    expect(r('{"url": 5}')).toBe('bad-field');
    expect(r('{"url":"http://a.example/","priority":"high"}')).toBe('bad-field');
    expect(r('{"url":"http://a.example/","priority":1.5}')).toBe('bad-field');
    expect(r('{"url":"http://a.example/","customer_id":""}')).toBe('bad-field');
    expect(r('{"url":"http://a.example/","attempt":-1}')).toBe('bad-field');
    expect(r('{"url":"javascript:x"}')).toBe('unsupported-scheme');
    expect(r('http://a.example/', 'jsonl')).toBe('bad-json');
    expect(r('{"url":"http://a.example/"}', 'text')).toBe('not-a-url');
  });
});
