/**
 * The fetcher's politeness hooks: the first request of a fetch was admitted by the caller; every further request
 * (the page after a robots.txt fetch, each redirect hop) waits for `beforeRequest`, and every request reports
 * when it left through `sent`. Servers on a distinct loopback address (127.0.1.20).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { createFetcher } from '../../../src/fetch/index.js';

let server: Server;
let origin = '';
const arrivals: { path: string; at: number }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    arrivals.push({ path, at: Date.now() });
    if (path === '/robots.txt') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nAllow: /\n');
    const hop = /^\/hop\/(\d+)$/.exec(path);
    if (hop && Number(hop[1]) > 0) return void res.writeHead(302, { location: `/hop/${Number(hop[1]) - 1}` }).end();
    res.writeHead(200, { 'content-type': 'text/html' }).end('<p>end</p>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.1.20', r));
  origin = `http://127.0.1.20:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('fetcher politeness hooks', () => {
  test('robots.txt then two redirects then the page: 4 requests, 3 of them asked for, 4 sends reported in order', async () => {
    const fetcher = createFetcher({ allowCidrs: ['127.0.1.0/24'] });
    const asked: string[] = [];
    const sent: { path: string; at: number }[] = [];
    const result = await fetcher.fetch(`${origin}/hop/2`, {
      hooks: {
        beforeRequest: async (url) => {
          asked.push(url.pathname);
          await new Promise((r) => setTimeout(r, 30)); // a limiter making it wait
        },
        sent: (url, at) => { sent.push({ path: url.pathname, at }); },
      },
    });
    fetcher.close();
    expect(result.kind).toBe('page');
    expect(arrivals.map((a) => a.path)).toEqual(['/robots.txt', '/hop/2', '/hop/1', '/hop/0']);
    expect(asked).toEqual(['/hop/2', '/hop/1', '/hop/0']);
    expect(sent.map((s) => s.path)).toEqual(['/robots.txt', '/hop/2', '/hop/1', '/hop/0']);
    // Each request left after its wait: consecutive arrivals are at least the 30 ms the hook held them.
    for (let i = 1; i < arrivals.length; i++) expect(arrivals[i]!.at - arrivals[i - 1]!.at).toBeGreaterThanOrEqual(29);
    // "sent" is reported no later than the server saw the request.
    for (const [i, s] of sent.entries()) expect(s.at).toBeLessThanOrEqual(arrivals[i]!.at + 1);
  });
});
