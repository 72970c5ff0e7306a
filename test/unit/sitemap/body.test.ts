import { describe, expect, test } from '@jest/globals';
import { Readable } from 'node:stream';
import { gzipSync, createGzip } from 'node:zlib';
import { readSitemapBody } from '../../../src/sitemap/body.js';
import { SitemapParser } from '../../../src/sitemap/parser.js';
import { bigUrlset, urlset } from './fixtures.js';

function collector() {
  const locs: string[] = [];
  const parser = new SitemapParser({ url: (e) => locs.push(e.loc), child: (e) => locs.push(e.loc) });
  return { locs, parser };
}
const opts = (maxBytes: number, extra: Partial<{ stopped: () => boolean }> = {}) => ({ maxBytes, drain: async () => undefined, stopped: () => false, ...extra });

describe('readSitemapBody', () => {
  const xml = urlset([{ loc: 'http://shop.test/a' }, { loc: 'http://shop.test/b' }]);

  test('plain and gzipped bodies (sniffed by magic bytes) read the same', async () => {
    for (const body of [Buffer.from(xml), gzipSync(xml)]) {
      const { locs, parser } = collector();
      const out = await readSitemapBody(Readable.from([body.subarray(0, 5), body.subarray(5)]), parser, opts(1 << 20));
      expect(out).toEqual({ bytes: Buffer.byteLength(xml) });
      expect(locs).toEqual(['http://shop.test/a', 'http://shop.test/b']);
    }
  });

  test('a multi-byte character split between chunks survives', async () => {
    const text = 'http://shop.test/caf\u00e9\n';
    const bytes = Buffer.from(text);
    const { locs, parser } = collector();
    await readSitemapBody(Readable.from([bytes.subarray(0, 20), bytes.subarray(20)]), parser, opts(1 << 20));
    expect(locs).toEqual(['http://shop.test/caf\u00e9']);
  });

  test('a gzip bomb stops at the byte cap, counted after decompression, with a reason', async () => {
    // 1 GiB of zeros inflates from about 1 MiB; the stream is produced lazily, so the test holds neither.
    const gzip = createGzip();
    const zeros = Buffer.alloc(1 << 20);
    let sent = 0;
    const source = new Readable({ read() { this.push(sent++ < 1024 ? zeros : null); } });
    source.pipe(gzip);
    const { parser } = collector();
    const before = process.memoryUsage().rss;
    const out = await readSitemapBody(gzip, new SitemapParser({ url: () => undefined, child: () => undefined }), opts(8 << 20));
    expect(out.stop?.reason).toMatch(/size-cap|parse/);
    expect(out.bytes).toBeLessThanOrEqual(8 << 20);
    expect(sent).toBeLessThan(1024);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 << 20);
    void parser;
  });

  test('a gzip bomb of XML stops with size-cap', async () => {
    const body = gzipSync(Buffer.concat([Buffer.from('<urlset>'), Buffer.alloc(64 << 20, ' '), Buffer.from('</urlset>')]));
    const { parser } = collector();
    const out = await readSitemapBody(Readable.from([body]), parser, opts(4 << 20));
    expect(out).toEqual({ bytes: 4 << 20, stop: { reason: 'size-cap', detail: `more than ${4 << 20} bytes after decompression` } });
  });

  test('corrupt gzip and malformed XML are parse failures, not exceptions', async () => {
    const gz = gzipSync(xml);
    const corrupt = Buffer.concat([gz.subarray(0, 20), Buffer.alloc(40, 7)]);
    expect((await readSitemapBody(Readable.from([corrupt]), collector().parser, opts(1 << 20))).stop?.reason).toBe('parse');
    expect((await readSitemapBody(Readable.from([Buffer.from('<urlset><url>')]), collector().parser, opts(1 << 20))).stop?.reason).toBe('parse');
  });

  test('stopped() ends the read after the chunk that reached it', async () => {
    const { locs, parser } = collector();
    const out = await readSitemapBody(Readable.from(bigUrlset('http://shop.test', 5000)), parser, opts(50 << 20, { stopped: () => locs.length >= 1000 }));
    expect(out.stop?.reason).toBe('stopped');
    expect(locs.length).toBeGreaterThanOrEqual(1000);
    expect(locs.length).toBeLessThan(5000);
  });

  test('50 000 URLs (8 MB) stream through with flat memory', async () => {
    let n = 0;
    const parser = new SitemapParser({ url: () => { n++; }, child: () => undefined });
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const out = await readSitemapBody(Readable.from(bigUrlset('http://shop.test', 50_000)), parser, {
      maxBytes: 50 << 20, stopped: () => false, drain: async () => {
        // What stays alive, not garbage awaiting a collection (the test runner passes --expose-gc).
        global.gc?.();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      },
    });
    expect(out.stop).toBeUndefined();
    expect(out.bytes).toBeGreaterThan(7_000_000);
    expect(n).toBe(50_000);
    // The file is ~8 MB; a parser holding it (or a DOM of it) would show several times that.
    expect(peak - before).toBeLessThan(16 << 20);
  });
});
