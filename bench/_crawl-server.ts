/**
 * The server of `bench/crawl.ts`, in a process of its own (forked, driven over IPC): one HTTP server per host of
 * the generated site (_crawl-site.ts) on its loopback address, recording every request, so completeness and
 * duplicate fetches are counted where the requests land, whichever crawler sent them.
 *
 * IPC: {type:'start', shape} → {type:'started', origins}; {type:'collect', delayMs} → {type:'collected', ...Tally};
 *      {type:'reset'} → {type:'reset-done'}; {type:'stop'}.
 */
import { createServer, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { hostAddress, hostName, pageHtml, pageOfPath, type SiteShape } from './_crawl-site.js';

export interface Tally {
  /** Distinct pages of the site requested at least once. */
  distinctPages: number;
  /** Requests for pages of the site (duplicates included). */
  pageRequests: number;
  /** Requests beyond the first for the same page. */
  duplicates: number;
  /** A few pages requested more than once, `host/path ×n`. */
  duplicateExamples: string[];
  /** The paths most duplicated over all hosts, `path: n` (a pattern shows: one page of every host, or all of them). */
  duplicatePaths: string[];
  robots: number;
  /** Requests for paths that are no page of the site (a link resolved wrongly). */
  notFound: number;
  notFoundExamples: string[];
  /** Epoch ms of the first and last page request (0 when none). */
  firstAt: number;
  lastAt: number;
  /** Gaps between two requests to one host (robots.txt included) shorter than the per-host delay, and than 90 % of it. */
  gapsUnderDelay: number;
  gapsUnder90: number;
  /** The smallest such gap (ms), Infinity when a host had one request at most. */
  smallestGapMs: number;
}

function serve(): void {
  const servers: Server[] = [];
  /** http://siteNNN.test:port per host, once every server listens (pages link across hosts). */
  let origins: string[] = [];
  let counts = new Map<string, number>();
  let robots = 0;
  let notFound: string[] = [];
  let firstAt = 0;
  let lastAt = 0;
  /** Per host, the arrival times of every request: the per-host delay is checked where requests land. */
  let arrivals: number[][] = [];

  const gaps = (delayMs: number) => {
    let under = 0;
    let under90 = 0;
    let smallest = Infinity;
    for (const times of arrivals) {
      for (let k = 1; k < times.length; k++) {
        const gap = times[k]! - times[k - 1]!;
        smallest = Math.min(smallest, gap);
        if (gap < delayMs) under++;
        if (gap < 0.9 * delayMs) under90++;
      }
    }
    return { gapsUnderDelay: under, gapsUnder90: under90, smallestGapMs: Math.round(smallest * 100) / 100 };
  };

  const tally = (delayMs: number): Tally => {
    let pageRequests = 0;
    let duplicates = 0;
    const duplicateExamples: string[] = [];
    const byPath = new Map<string, number>();
    for (const [key, n] of counts) {
      pageRequests += n;
      if (n > 1) {
        duplicates += n - 1;
        if (duplicateExamples.length < 5) duplicateExamples.push(`${key} ×${n}`);
        const path = key.slice(key.indexOf('/'));
        byPath.set(path, (byPath.get(path) ?? 0) + n - 1);
      }
    }
    const duplicatePaths = [...byPath].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([path, n]) => `${path}: ${n}`);
    return { distinctPages: counts.size, pageRequests, duplicates, duplicateExamples, duplicatePaths, robots, notFound: notFound.length, notFoundExamples: notFound.slice(0, 5), firstAt, lastAt, ...gaps(delayMs) };
  };

  process.on('message', (msg: { type: string; shape?: SiteShape; delayMs?: number }) => {
    if (msg.type === 'start') {
      const shape = msg.shape!;
      const ports: number[] = [];
      void Promise.all(Array.from({ length: shape.hosts }, async (_, h) => {
        arrivals[h] = [];
        const server = createServer((req, res) => {
          arrivals[h]!.push(performance.timeOrigin + performance.now());
          const path = (req.url ?? '').split('?')[0]!;
          if (path === '/robots.txt') { robots++; res.writeHead(404); res.end(); return; }
          const page = pageOfPath(path, shape.pagesPerHost);
          if (page === undefined) {
            notFound.push(`${hostName(h)}${req.url}`);
            res.writeHead(404); res.end(); return;
          }
          const now = Date.now();
          if (!firstAt) firstAt = now;
          lastAt = now;
          const key = `${hostName(h)}${path}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
          const body = Buffer.from(pageHtml(shape, origins, h, page));
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length });
          res.end(body);
        });
        server.keepAliveTimeout = 30_000;
        await new Promise<void>((resolve) => server.listen(0, hostAddress(h), resolve));
        ports[h] = (server.address() as { port: number }).port;
        servers.push(server);
      })).then(() => {
        origins = ports.map((port, h) => `http://${hostName(h)}:${port}`);
        process.send!({ type: 'started', origins });
      });
    } else if (msg.type === 'collect') {
      process.send!({ type: 'collected', ...tally(msg.delayMs ?? 0) });
    } else if (msg.type === 'reset') {
      counts = new Map();
      robots = 0;
      notFound = [];
      firstAt = 0;
      lastAt = 0;
      arrivals = arrivals.map(() => []);
      process.send!({ type: 'reset-done' });
    } else if (msg.type === 'stop') {
      for (const s of servers) { s.closeAllConnections(); s.close(); }
      process.exit(0);
    }
  });
}

if (process.send) serve();
