/** robots.txt through the real fetcher, against servers on distinct loopback addresses (127.0.1.x). */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createFetcher, type Fetcher } from '../../../src/fetch/index.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Site {
  origin: string;
  requests: string[];
  close(): Promise<void>;
}

async function site(address: string, robots: Handler): Promise<Site> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '/');
    if (req.url === '/robots.txt') robots(req, res);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(`<p>${req.url}</p>`);
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://${address}:${port}`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const ROBOTS = ['User-agent: *', 'Disallow: /private', 'Disallow: /*.pdf$', 'Allow: /private/open', 'Crawl-delay: 3', '',
  'User-agent: otherbot', 'Disallow: /'].join('\n');

let rules: Site;
let failing: Site;
let missing: Site;
let slowRobots: Site;
let toLoopback: Site;
let canaryHits = 0;
let canary: Server;
let canaryOrigin: string;
let fetcher: Fetcher;

beforeAll(async () => {
  canary = createServer((_req, res) => { canaryHits++; res.end('User-agent: *\nAllow: /'); });
  canary.on('connection', () => canaryHits++);
  await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
  canaryOrigin = `http://127.0.0.1:${(canary.address() as { port: number }).port}`;
  rules = await site('127.0.1.2', (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(ROBOTS));
  failing = await site('127.0.1.3', (_req, res) => res.writeHead(500).end('oops'));
  missing = await site('127.0.1.4', (_req, res) => res.writeHead(404).end());
  slowRobots = await site('127.0.1.6', (_req, res) => {
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /no'), 100);
  });
  toLoopback = await site('127.0.1.7', (_req, res) => res.writeHead(301, { location: `${canaryOrigin}/robots.txt` }).end());
  fetcher = createFetcher({ allowCidrs: ['127.0.1.0/24'], userAgent: 'kscrape/9.9 (+https://example.invalid/bot)' });
});

afterAll(async () => {
  fetcher?.close();
  await Promise.all([rules, failing, missing, slowRobots, toLoopback].map((s) => s?.close()));
  await new Promise((resolve) => { canary.closeAllConnections(); canary.close(resolve); });
});

describe('robots.txt', () => {
  test('a disallowed path is a robots error and is never requested; allowed paths are pages with the Crawl-delay', async () => {
    expect(await fetcher.fetch(`${rules.origin}/private/secret`)).toMatchObject({
      kind: 'error', reason: 'robots', status: null, detail: 'robots.txt disallows /private/secret (line 2)', crawlDelayMs: 3000,
    });
    expect(await fetcher.fetch(`${rules.origin}/files/a.pdf`)).toMatchObject({ kind: 'error', reason: 'robots' });
    expect(await fetcher.fetch(`${rules.origin}/private/open/page`)).toMatchObject({ kind: 'page', status: 200, crawlDelayMs: 3000 });
    expect(await fetcher.fetch(`${rules.origin}/files/a.pdf?download=1`)).toMatchObject({ kind: 'page', status: 200 });
    expect(rules.requests).toEqual(['/robots.txt', '/private/open/page', '/files/a.pdf?download=1']);
    expect(fetcher.crawlDelayMs(rules.origin)).toBe(3000);
    expect(fetcher.crawlDelayMs(new URL(rules.origin).host)).toBe(3000);
  });

  test('robots.txt answering 500 makes the URLs retryable and they are not requested', async () => {
    expect(await fetcher.fetch(`${failing.origin}/page`)).toMatchObject({ kind: 'retryable', status: null, error: 'robots.txt unavailable (HTTP 500)' });
    expect(await fetcher.fetch(`${failing.origin}/other`)).toMatchObject({ kind: 'retryable', error: 'robots.txt unavailable (HTTP 500)' });
    expect(failing.requests).toEqual(['/robots.txt']);
  });

  test('robots.txt answering 404 allows everything', async () => {
    expect(await fetcher.fetch(`${missing.origin}/anything`)).toMatchObject({ kind: 'page', status: 200 });
    expect(fetcher.crawlDelayMs(missing.origin)).toBeUndefined();
  });

  test('concurrent fetches of one host share one robots.txt request', async () => {
    const results = await Promise.all([...Array(10)].map((_, i) => fetcher.fetch(`${slowRobots.origin}/p${i}`)));
    expect(results.map((r) => r.kind)).toEqual(Array(10).fill('page'));
    expect(slowRobots.requests.filter((p) => p === '/robots.txt')).toHaveLength(1);
    expect(await fetcher.fetch(`${slowRobots.origin}/no`)).toMatchObject({ kind: 'error', reason: 'robots' });
  });

  test('robots.txt goes through the address guard too: a redirect to 127.0.0.1 refuses the host', async () => {
    expect(await fetcher.fetch(`${toLoopback.origin}/page`)).toMatchObject({
      kind: 'error', reason: 'blocked-address', detail: '127.0.0.1 is loopback (refused by the address guard; see --allow-cidr)',
    });
    expect(toLoopback.requests).toEqual(['/robots.txt']);
    expect(canaryHits).toBe(0);
  });

  test('ignoreRobots fetches disallowed paths without asking', async () => {
    const f = createFetcher({ allowCidrs: ['127.0.1.0/24'], ignoreRobots: true });
    try {
      const before = rules.requests.length;
      expect(await f.fetch(`${rules.origin}/private/secret`)).toMatchObject({ kind: 'page', status: 200 });
      expect(rules.requests.slice(before)).toEqual(['/private/secret']);
    } finally {
      f.close();
    }
  });
});
