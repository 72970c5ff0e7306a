/**
 * The fetcher's streaming mode (fetchStream) and robots.txt's Sitemap lines, against a real server on loopback
 * (127.0.1.0/24 allowed, as the other fetch tests do).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { createFetcher, type Fetcher } from '../../../src/fetch/index.js';
import { startTarget, type Target } from '../../helpers/http-targets.js';

let target: Target;
let fetcher: Fetcher;
const FIVE_MIB = 5 << 20;

async function count(body: Readable, stopAt = Infinity): Promise<number> {
  let n = 0;
  for await (const chunk of body) {
    n += (chunk as Buffer).length;
    if (n >= stopAt) break;
  }
  return n;
}

beforeAll(async () => {
  target = await startTarget('127.0.1.61', {
    '/robots.txt': (_req, res) => { res.setHeader('content-type', 'text/plain'); res.end('User-agent: *\nDisallow: /no\nSitemap: http://127.0.1.61/a.xml\nSitemap: http://127.0.1.62/b.xml.gz\n'); },
    '/big.bin': (_req, res) => { res.writeHead(200, { 'content-type': 'application/octet-stream' }); res.end(Buffer.alloc(FIVE_MIB, 'a')); },
    '/gz.xml': (_req, res) => { res.writeHead(200, { 'content-type': 'application/xml', 'content-encoding': 'gzip' }); res.end(gzipSync(Buffer.alloc(FIVE_MIB, 'b'))); },
    '/reset': (req, res) => { res.writeHead(200, { 'content-type': 'application/xml' }); res.write(Buffer.alloc(64 * 1024)); setTimeout(() => req.socket.destroy(), 50); },
    '/no/x.xml': (_req, res) => { res.end('never'); },
  });
  fetcher = createFetcher({ allowCidrs: ['127.0.1.0/24'], maxPageBytes: 1024 * 1024 });
});

afterAll(async () => {
  fetcher.close();
  await target.close();
});

describe('fetchStream', () => {
  test('any media type, the whole body to the reader past maxPageBytes; Content-Encoding undone', async () => {
    let bytes = 0;
    const r = await fetcher.fetchStream(`${target.origin}/big.bin`, async (body) => { bytes = await count(body); });
    expect(r).toMatchObject({ kind: 'page', status: 200, body: Buffer.alloc(0) });
    expect(bytes).toBe(FIVE_MIB);
    const gz = await fetcher.fetchStream(`${target.origin}/gz.xml`, async (body) => { bytes = await count(body); });
    expect(gz.kind).toBe('page');
    expect(bytes).toBe(FIVE_MIB);
  });

  test('a reader that stops early closes the connection instead of downloading the rest', async () => {
    const before = fetcher.stats().socketsCreated;
    let bytes = 0;
    const r = await fetcher.fetchStream(`${target.origin}/big.bin`, async (body) => { bytes = await count(body, 100_000); });
    expect(r.kind).toBe('page');
    expect(bytes).toBeLessThan(1024 * 1024);
    await fetcher.fetchStream(`${target.origin}/big.bin`, async (body) => { await count(body, 1); });
    expect(fetcher.stats().socketsCreated).toBeGreaterThan(before);
  });

  test('a reset mid-body is retryable; robots.txt still decides', async () => {
    const reset = await fetcher.fetchStream(`${target.origin}/reset`, async (body) => { await count(body); });
    expect(reset).toMatchObject({ kind: 'retryable', error: 'ECONNRESET' });
    const refused = await fetcher.fetchStream(`${target.origin}/no/x.xml`, async () => { throw new Error('must not be called'); });
    expect(refused).toMatchObject({ kind: 'error', reason: 'robots' });
  });

  test('robotsSitemaps gives the Sitemap: lines; none when robots.txt is ignored', async () => {
    expect(await fetcher.robotsSitemaps(target.origin)).toEqual(['http://127.0.1.61/a.xml', 'http://127.0.1.62/b.xml.gz']);
    const ignoring = createFetcher({ allowCidrs: ['127.0.1.0/24'], ignoreRobots: true });
    expect(await ignoring.robotsSitemaps(target.origin)).toEqual([]);
    ignoring.close();
  });
});
