/**
 * The fetcher against real HTTP servers on distinct loopback addresses (127.0.1.x), with only 127.0.1.0/24
 * allowed, so every refusal of 127.0.0.1 is the guard's doing. Nothing here connects outside loopback.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createWriteStream, mkdtempSync, rmSync, statSync, createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { createFetcher, type Fetcher } from '../../../src/fetch/index.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface TestServer {
  origin: string;
  port: number;
  connections: number;
  requests: string[];
  /** Body bytes the server managed to write, per path. */
  written: Map<string, number>;
  close(): Promise<void>;
}

async function serve(address: string, routes: Record<string, Handler>): Promise<TestServer> {
  const s: TestServer = { origin: '', port: 0, connections: 0, requests: [], written: new Map(), close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    s.requests.push(path);
    const route = routes[path] ?? routes[path.replace(/\/[^/]*$/, '/*')];
    if (route) route(req, res);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  server.on('connection', () => s.connections++);
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  s.port = (server.address() as { port: number }).port;
  s.origin = `http://${address}:${s.port}`;
  s.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return s;
}

const html = (body: string, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers }).end(body);
};
const redirect = (location: string, status = 302): Handler => (_req, res) => res.writeHead(status, { location }).end();

/** Writes `chunk` until the client goes away, counting what was written. */
const endless = (server: () => TestServer, path: string, headers: Record<string, string>): Handler => (_req, res) => {
  res.writeHead(200, headers);
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let written = 0;
  const pump = () => {
    while (!res.destroyed && written < 4 * 1024 ** 3) {
      written += chunk.length;
      server().written.set(path, written);
      if (!res.write(chunk)) { res.once('drain', pump); return; }
    }
  };
  res.on('close', () => server().written.set(path, written));
  pump();
};

const CAP = 1024 * 1024;
let dir: string;
let bombPath: string;
let main: TestServer;
let canary: TestServer;
let fetcher: Fetcher;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kscrape-fetch-'));
  bombPath = join(dir, 'bomb.gz');
  // 1 GiB of zeros, gzipped on the fly to about 1 MB: never held in memory.
  const zeros = Buffer.alloc(1024 * 1024);
  await pipeline(Readable.from((function* () { for (let i = 0; i < 1024; i++) yield zeros; })()), createGzip({ level: 9 }), createWriteStream(bombPath));

  // The canary stands for everything the guard must keep us away from: it must never see a connection.
  canary = await serve('127.0.0.1', { '/*': html('you should not be here') });
  main = await serve('127.0.1.1', {
    '/robots.txt': (_req, res) => res.writeHead(404).end(),
    '/ok': html('<p>ok</p>', { 'content-length': '9', etag: '"v1"', 'last-modified': 'Wed, 25 Nov 2026 10:00:00 GMT', 'set-cookie': 'a=1' }),
    '/latin1': (_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=ISO-8859-1' }).end(Buffer.from([0x63, 0x61, 0x66, 0xe9])),
    '/slow': (_req, res) => { const t = setTimeout(() => res.end('late'), 10_000); res.on('close', () => clearTimeout(t)); },
    '/404': (_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('missing'),
    '/500': (_req, res) => res.writeHead(500).end('boom'),
    '/429': (_req, res) => res.writeHead(429, { 'retry-after': '7' }).end('slow down'),
    '/503': (_req, res) => res.writeHead(503, { 'retry-after': new Date(Date.now() + 3_600_000).toUTCString() }).end(),
    '/chain/*': (req, res) => {
      const n = Number(req.url!.split('/').pop());
      if (n === 0) html('<p>end of chain</p>')(req, res);
      else redirect(`/chain/${n - 1}`)(req, res);
    },
    '/loop/a': redirect('/loop/b', 301),
    '/loop/b': redirect('/loop/a', 307),
    '/to-loopback': (req, res) => redirect(`${canary.origin}/metadata`)(req, res),
    '/to-name': (req, res) => redirect(`http://evil.test:${canary.port}/x`)(req, res),
    '/to-ftp': redirect('ftp://127.0.1.1/file'),
    '/huge': endless(() => main, '/huge', { 'content-type': 'text/plain' }),
    '/bomb': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip', 'content-length': String(statSync(bombPath).size) });
      const file = createReadStream(bombPath);
      file.pipe(res);
      res.on('close', () => file.destroy());
    },
    '/reset': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': '100000' });
      res.write('x'.repeat(1000), () => setTimeout(() => res.socket?.destroy(), 20));
    },
    '/pdf': (_req, res) => res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.7'),
    '/plain': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('just text'),
  });
  fetcher = createFetcher({
    allowCidrs: ['127.0.1.0/24'], timeoutMs: 1_500, maxPageBytes: CAP,
    resolve: [`site.test:${main.port}:127.0.1.1`, `evil.test:*:127.0.0.1`],
  });
}, 60_000);

afterAll(async () => {
  fetcher?.close();
  await Promise.all([main?.close(), canary?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('fetch outcomes against loopback servers', () => {
  test('200: a page with the kept headers and the decoded body', async () => {
    const r = await fetcher.fetch(`${main.origin}/ok`);
    expect(r).toMatchObject({
      kind: 'page', url: `${main.origin}/ok`, finalUrl: `${main.origin}/ok`, status: 200, redirects: 0,
      contentType: 'text/html; charset=utf-8', body: Buffer.from('<p>ok</p>'), truncated: false, bytes: 9,
      headers: { 'content-type': 'text/html; charset=utf-8', 'content-length': '9', etag: '"v1"', 'last-modified': 'Wed, 25 Nov 2026 10:00:00 GMT' },
    });
    expect(r.kind === 'page' && 'set-cookie' in r.headers).toBe(false);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  test('a name pinned with resolve to an allowed address is fetched; the charset is honoured', async () => {
    expect(await fetcher.fetch(`http://site.test:${main.port}/ok`)).toMatchObject({ kind: 'page', status: 200, body: Buffer.from('<p>ok</p>') });
    expect(await fetcher.fetch(`${main.origin}/latin1`)).toMatchObject({ kind: 'page', body: Buffer.from('café'), bytes: 4 });
  });

  test('slow server: retryable timeout', async () => {
    expect(await fetcher.fetch(`${main.origin}/slow`)).toMatchObject({ kind: 'retryable', status: null, error: 'timeout' });
  });

  test('404: final http-status error; 500: retryable', async () => {
    expect(await fetcher.fetch(`${main.origin}/404`)).toMatchObject({ kind: 'error', reason: 'http-status', status: 404, detail: 'HTTP 404' });
    const r500 = await fetcher.fetch(`${main.origin}/500`);
    expect(r500).toMatchObject({ kind: 'retryable', status: 500, error: 'HTTP 500' });
    expect(r500).not.toHaveProperty('retryAfterMs');
  });

  test('429 and 503 carry Retry-After as retryAfterMs', async () => {
    expect(await fetcher.fetch(`${main.origin}/429`)).toEqual(expect.objectContaining({ kind: 'retryable', status: 429, error: 'HTTP 429', retryAfterMs: 7000 }));
    const r503 = await fetcher.fetch(`${main.origin}/503`);
    expect(r503).toMatchObject({ kind: 'retryable', status: 503, error: 'HTTP 503' });
    expect(r503.kind === 'retryable' && r503.retryAfterMs! > 3_500_000 && r503.retryAfterMs! <= 3_600_000).toBe(true);
  });

  test('5 redirects are followed; the 6th is an error', async () => {
    expect(await fetcher.fetch(`${main.origin}/chain/5`)).toMatchObject({
      kind: 'page', status: 200, body: Buffer.from('<p>end of chain</p>'), redirects: 5, finalUrl: `${main.origin}/chain/0`,
      headers: { location: '/chain/0' },
    });
    expect(await fetcher.fetch(`${main.origin}/chain/6`)).toMatchObject({
      kind: 'error', reason: 'redirect', status: 302, redirects: 5, finalUrl: `${main.origin}/chain/1`,
      detail: `more than 5 redirects (next: ${main.origin}/chain/0)`,
    });
  });

  test('a redirect loop is an error; so is a redirect to another scheme', async () => {
    expect(await fetcher.fetch(`${main.origin}/loop/a`)).toMatchObject({
      kind: 'error', reason: 'redirect', status: 307, redirects: 1, detail: `redirect loop: ${main.origin}/loop/a was already requested`,
    });
    expect(await fetcher.fetch(`${main.origin}/to-ftp`)).toMatchObject({ kind: 'error', reason: 'redirect', status: 302, detail: 'redirect to a ftp: URL (only http and https are fetched)' });
  });

  test('checkRedirect is asked about each hop before it is requested: follow, refuse, duplicate, a failing check', async () => {
    const asked: string[] = [];
    const follow = await fetcher.fetch(`${main.origin}/chain/2`, { checkRedirect: (to) => { asked.push(to.pathname); return Promise.resolve(undefined); } });
    expect([follow.kind, follow.finalUrl, asked]).toEqual(['page', `${main.origin}/chain/0`, ['/chain/1', '/chain/0']]);

    const before = main.requests.length;
    const refused = await fetcher.fetch(`${main.origin}/chain/2`, { checkRedirect: () => Promise.resolve({ kind: 'refuse', detail: 'out of scope' }) });
    expect(refused).toEqual(expect.objectContaining({ kind: 'error', reason: 'redirect', status: 302, detail: 'out of scope', redirects: 0, finalUrl: `${main.origin}/chain/2` }));
    expect(main.requests.slice(before)).toEqual(['/chain/2']);
    const duplicate = await fetcher.fetch(`${main.origin}/chain/1`, { checkRedirect: () => Promise.resolve({ kind: 'duplicate', detail: 'already had' }) });
    expect(duplicate).toEqual(expect.objectContaining({ kind: 'duplicate', status: 302, detail: 'already had', finalUrl: `${main.origin}/chain/1` }));
    const failed = await fetcher.fetch(`${main.origin}/chain/1`, { checkRedirect: () => Promise.reject(new Error('redis down')) });
    expect(failed).toEqual(expect.objectContaining({ kind: 'retryable', status: null, error: 'redirect check: redis down' }));
    expect(main.requests.slice(before)).toEqual(['/chain/2', '/chain/1', '/chain/1']);
    // Before the address guard and the target's robots.txt: the canary sees nothing.
    const off = await fetcher.fetch(`${main.origin}/to-loopback`, { checkRedirect: () => Promise.resolve({ kind: 'refuse', detail: 'off site' }) });
    expect([off.kind, off.kind === 'error' && off.reason]).toEqual(['error', 'redirect']);
    expect(canary.connections).toBe(0);
  });

  test('the guard refuses 127.0.0.1 directly, after a redirect, and behind a pinned name; nothing reaches it', async () => {
    expect(await fetcher.fetch(`${canary.origin}/metadata`)).toMatchObject({
      kind: 'error', reason: 'blocked-address', status: null, redirects: 0, detail: '127.0.0.1 is loopback (refused by the address guard; see --allow-cidr)',
    });
    expect(await fetcher.fetch(`${main.origin}/to-loopback`)).toMatchObject({
      kind: 'error', reason: 'blocked-address', status: null, redirects: 1, finalUrl: `${canary.origin}/metadata`,
      detail: '127.0.0.1 is loopback (refused by the address guard; see --allow-cidr)',
    });
    expect(await fetcher.fetch(`http://evil.test:${canary.port}/`)).toMatchObject({
      kind: 'error', reason: 'blocked-address', detail: 'evil.test: 127.0.0.1 is loopback (refused by the address guard; see --allow-cidr)',
    });
    expect(await fetcher.fetch(`${main.origin}/to-name`)).toMatchObject({ kind: 'error', reason: 'blocked-address', redirects: 1, finalUrl: `http://evil.test:${canary.port}/x` });
    expect(canary.connections).toBe(0);
  });

  test('an endless body is cut at the cap and the connection closed', async () => {
    const r = await fetcher.fetch(`${main.origin}/huge`);
    expect(r).toMatchObject({ kind: 'page', status: 200, truncated: true, bytes: CAP });
    expect(r.kind === 'page' && r.body.length).toBe(CAP);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The server stopped far short of its 4 GiB: reading stopped at the cap (socket buffers account for the rest).
    expect(main.written.get('/huge')!).toBeLessThan(64 * CAP);
  });

  test('a gzip bomb (1 GiB of zeros in ~1 MB) is capped after decompression', async () => {
    const before = process.memoryUsage().rss;
    const r = await fetcher.fetch(`${main.origin}/bomb`);
    // got removes Content-Encoding and Content-Length once it decompresses, so the headers do not say gzip.
    expect(r).toMatchObject({ kind: 'page', status: 200, truncated: true, bytes: CAP, headers: { 'content-type': 'text/html' } });
    expect(r.kind === 'page' && r.body.equals(Buffer.alloc(CAP))).toBe(true);
    // Decoding all of it would need 1 GiB; the cap keeps the growth to a few MiB (generous bound for GC noise).
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * CAP);
  });

  test('a connection reset mid-body is retryable', async () => {
    expect(await fetcher.fetch(`${main.origin}/reset`)).toMatchObject({ kind: 'retryable', status: null, error: 'ECONNRESET' });
  });

  test('a content type outside accept is an error and its body is not kept; text/plain is a page', async () => {
    expect(await fetcher.fetch(`${main.origin}/pdf`)).toMatchObject({
      kind: 'error', reason: 'unsupported-content', status: 200, detail: 'content type application/pdf is not accepted (see --accept)',
    });
    expect(await fetcher.fetch(`${main.origin}/plain`)).toMatchObject({ kind: 'page', contentType: 'text/plain', body: Buffer.from('just text') });
  });

  test('bad URLs and aborts are results, not exceptions', async () => {
    expect(await fetcher.fetch('not a url')).toMatchObject({ kind: 'error', reason: 'invalid-url', status: null });
    expect(await fetcher.fetch('file:///etc/passwd')).toMatchObject({ kind: 'error', reason: 'invalid-url' });
    const abort = new AbortController();
    const pending = fetcher.fetch(`${main.origin}/slow`, { signal: abort.signal });
    setTimeout(() => abort.abort(), 50);
    expect(await pending).toMatchObject({ kind: 'retryable', error: 'aborted' });
  });
});

describe('keep-alive', () => {
  test('sequential fetches to one host reuse one connection', async () => {
    const server = await serve('127.0.1.5', { '/a': html('a'), '/b': html('b') });
    const f = createFetcher({ allowCidrs: ['127.0.1.0/24'], ignoreRobots: true });
    try {
      for (const p of ['/a', '/b', '/a', '/b']) expect(await f.fetch(`${server.origin}${p}`)).toMatchObject({ kind: 'page', status: 200 });
      expect(server.requests).toEqual(['/a', '/b', '/a', '/b']);
      expect(server.connections).toBe(1);
      expect(f.stats().socketsCreated).toBe(1);
    } finally {
      f.close();
      await server.close();
    }
  });
});
