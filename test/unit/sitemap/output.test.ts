import { describe, expect, test } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { formatEntry, lineWriter } from '../../../src/sitemap/output.js';

describe('sitemap output', () => {
  test('url and jsonl lines', () => {
    const e = { url: 'http://shop.test/a', lastmod: '2026-11-01', priority: '0.8', sitemap: 'http://shop.test/s.xml' };
    expect(formatEntry(e, 'url')).toBe('http://shop.test/a\n');
    expect(JSON.parse(formatEntry(e, 'jsonl'))).toEqual({ url: 'http://shop.test/a', lastmod: '2026-11-01', changefreq: null, priority: 0.8, sitemap: 'http://shop.test/s.xml' });
    expect(JSON.parse(formatEntry({ ...e, priority: 'high' }, 'jsonl')).priority).toBeNull();
  });

  test('a write waits while the reader lags, and is released by reading or by the signal', async () => {
    const pipe = new PassThrough({ highWaterMark: 16 });
    const abort = new AbortController();
    const writer = lineWriter(pipe, abort.signal);
    let done = false;
    const waiting = writer.write('x'.repeat(64)).then(() => { done = true; });
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    pipe.read();
    await waiting;
    expect(done).toBe(true);
    const again = writer.write('y'.repeat(64));
    abort.abort();
    await again;
    await writer.write('dropped'); // after the signal nothing is written
    expect(pipe.readableLength).toBe(64);
  });
});
