import { describe, expect, test } from '@jest/globals';
import { parseInputLine } from '../../../src/produce/input-line.js';

const defaults = { customerId: 'default', priority: 0, maxUrlLength: 4096 };
const NOW = 1_700_000_000_000;

describe('parseInputLine', () => {
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
