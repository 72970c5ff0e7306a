// `kscrape sitemap` against loopback sites started here: robots.txt Sitemap lines (one cross-submitted), an index
// with gzip children (a .xml.gz file and a Content-Encoding one), a gzip bomb, a broken child, a 404, a child
// robots.txt disallows; politeness between the requests to one host; --produce into the test broker.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from '../../helpers/cli.js';
import { startCli } from '../../helpers/produce.js';
import { testBrokers, testRedisUrl, uniqueName } from '../../helpers/env.js';
import { minGapMs, startTarget, type Route, type Target } from '../../helpers/http-targets.js';
import { createTestTopic, readBack } from '../../helpers/kafka.js';
import { sitemapIndex, urlset } from '../../unit/sitemap/fixtures.js';

const send = (body: string | Buffer, headers: Record<string, string> = {}): Route => (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/xml', ...headers });
  res.end(body);
};

let a: Target;
let b: Target;
let expected: string[];
const dir = mkdtempSync(join(tmpdir(), 'kscrape-sitemap-'));
const routesA: Record<string, Route> = {};
const routesB: Record<string, Route> = {};

beforeAll(async () => {
  a = await startTarget('127.0.7.1', routesA);
  b = await startTarget('127.0.7.2', routesB);
  const A = a.origin;
  const B = b.origin;
  Object.assign(routesA, {
    '/robots.txt': send(`User-agent: *\nDisallow: /private\nSitemap: ${A}/sitemap_index.xml\nSitemap: ${B}/for-a.xml\n`, { 'content-type': 'text/plain' }),
    '/sitemap_index.xml': send(sitemapIndex(['s1.xml.gz', 's2.xml', 'bomb.xml.gz', 'broken.xml', 'gone.xml', 'private/s.xml'].map((p) => ({ loc: `${A}/${p}` })))),
    '/s1.xml.gz': send(gzipSync(urlset([1, 2, 3].map((i) => ({ loc: `${A}/a${i}`, lastmod: '2026-11-20' })))), { 'content-type': 'application/x-gzip' }),
    '/s2.xml': send(gzipSync(urlset([{ loc: `${A}/a4` }, { loc: `${A}/a5` }, { loc: `${B}/not-from-here` }])), { 'content-encoding': 'gzip' }),
    // 64 MiB of spaces inflate from ~64 KiB: the read must stop at --max-file-bytes.
    '/bomb.xml.gz': send(gzipSync(Buffer.concat([Buffer.from(`<urlset><url><loc>${A}/bomb-1</loc></url>`), Buffer.alloc(64 << 20, ' '), Buffer.from('</urlset>')])), { 'content-type': 'application/gzip' }),
    '/broken.xml': send(`<urlset><url><loc>${A}/broken-1</loc></oops></urlset>`),
    '/private/s.xml': send(urlset([{ loc: `${A}/secret` }])),
    '/big.xml': ((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.write('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n');
      let i = 0;
      const more = () => {
        while (i < 50_000) {
          const chunk = Array.from({ length: 500 }, () => `<url><loc>${A}/item-${i++}</loc><lastmod>2026-11-01</lastmod></url>\n`).join('');
          if (!res.write(chunk)) { res.once('drain', more); return; }
        }
        res.end('</urlset>\n');
      };
      more();
    }) as Route,
  });
  Object.assign(routesB, { '/for-a.xml': send(urlset([{ loc: `${A}/from-b` }, { loc: `${B}/b-own` }])) });
  expected = [...[1, 2, 3, 4, 5].map((i) => `${A}/a${i}`), `${A}/bomb-1`, `${A}/from-b`, `${B}/b-own`].sort();
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** A site of its own on `address` (no robots.txt), its routes made once its origin is known, closed after `run`. */
async function withSite(address: string, routesOf: (origin: string) => Record<string, Route>, run: (server: Target) => Promise<void>): Promise<void> {
  const routes: Record<string, Route> = { '/robots.txt': (_req, res) => { res.writeHead(404); res.end(); } };
  const server = await startTarget(address, routes);
  try {
    Object.assign(routes, routesOf(server.origin));
    await run(server);
  } finally {
    await server.close();
  }
}

const siteArgs = () => ['sitemap', `${a.origin}/`, '--allow-private', '--host-delay', `${DELAY_MS}ms`, '--max-file-bytes', '1MiB'];
/** The host delay of the politeness check; arrivals are stamped by this (busy) process, so 10 % slack as work's tests allow. */
const DELAY_MS = 300;

describe('kscrape sitemap', () => {
  test('a site root: every URL once on stdout, broken children skipped by reason, politeness held', async () => {
    a.arrivals.length = 0;
    const r = await runCli([...siteArgs(), '--json'], { timeoutMs: 60_000 });
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    const lines = r.stdout.trim().split('\n');
    expect([...lines].sort()).toEqual(expected);
    const summary = JSON.parse(r.stderr.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(summary).toMatchObject({
      urls: 8, sitemaps_read: 5, indexes_read: 1,
      urls_skipped: { 'cross-host': 1 },
      sitemaps_skipped: { fetch: 2, parse: 1, 'size-cap': 1 },
      exit_code: 0,
    });
    expect(r.stderr).toMatch(/gone\.xml: HTTP 404/);
    expect(r.stderr).toMatch(/private\/s\.xml: robots\.txt disallows/);
    // robots.txt, the index and its children (not the one robots.txt disallows), one at a time, DELAY_MS apart.
    expect(a.arrivals.map((x) => x.path)).not.toContain('/private/s.xml');
    expect(a.arrivals.length).toBe(7);
    expect(minGapMs(a.arrivals)).toBeGreaterThanOrEqual(DELAY_MS * 0.9);
  }, 60_000);

  test('jsonl carries lastmod and the source sitemap; --include filters', async () => {
    const r = await runCli([...siteArgs(), '--format', 'jsonl', '--include', '/a[0-9]$', '--host-delay', '0'], { timeoutMs: 60_000 });
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((x) => x.url).sort()).toEqual(expected.filter((u) => /\/a\d$/.test(u)));
    expect(rows.find((x) => x.url === `${a.origin}/a1`)).toEqual({ url: `${a.origin}/a1`, lastmod: '2026-11-20', changefreq: null, priority: null, sitemap: `${a.origin}/s1.xml.gz` });
    expect(r.stderr).toMatch(/sitemap: 5 URLs from 5 sitemaps .*excluded 3/);
  }, 60_000);

  test('a 50 000-URL sitemap streams through in full', async () => {
    const r = await runCli(['sitemap', `${a.origin}/big.xml`, '--allow-private', '--host-delay', '0'], { timeoutMs: 60_000 });
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBe(50_000);
    expect(new Set(lines).size).toBe(50_000);
  }, 60_000);

  test('without --allow-private the address guard refuses loopback; an unreadable given sitemap exits 1', async () => {
    const r = await runCli(['sitemap', `${a.origin}/sitemap_index.xml`], { timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/loopback/);
    const bad = await runCli(['sitemap', 'not a url']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not a URL/);
    const both = await runCli(['sitemap', `${a.origin}/`, '--produce', '--format', 'jsonl']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--format jsonl writes to stdout/);
  }, 60_000);

  test('SIGINT stops the walk between requests: what was read is out, the summary says why, exit 130', async () => {
    a.arrivals.length = 0;
    const cli = startCli(['sitemap', `${a.origin}/`, '--allow-private', '--host-delay', '2s']);
    cli.end();
    // A: robots.txt, the index, its first child (B's for-a.xml came between); then it waits 2 s for A's next one.
    const deadline = Date.now() + 20_000;
    while (a.arrivals.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500)); // time to read that child's few bytes, well inside the 2 s wait
    cli.child.kill('SIGINT');
    const r = await cli.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/sitemap: 5 URLs from 3 sitemaps .*stopped by SIGINT/);
    expect(r.stdout.trim().split('\n').sort()).toEqual(expected.filter((u) => /\/(a[123]|from-b|b-own)$/.test(u)));
    expect(a.arrivals.length).toBe(3);
  }, 60_000);

  test('a 503 with Retry-After holds the host off before its next sitemap', async () => {
    await withSite('127.0.7.4', (origin) => ({
      '/index.xml': send(sitemapIndex([{ loc: `${origin}/busy.xml` }, { loc: `${origin}/ok.xml` }])),
      '/busy.xml': (_req, res) => { res.writeHead(503, { 'retry-after': '2' }); res.end(); },
      '/ok.xml': send(urlset([{ loc: `${origin}/p` }])),
    }), async (server) => {
      const r = await runCli(['sitemap', `${server.origin}/index.xml`, '--allow-private', '--host-delay', '100ms'], { timeoutMs: 30_000 });
      expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
      expect(r.stdout).toBe(`${server.origin}/p\n`);
      const at = (path: string) => server.arrivals.find((x) => x.path === path)!.at;
      expect(at('/ok.xml') - at('/busy.xml')).toBeGreaterThanOrEqual(2000 * 0.9);
      expect(r.stderr).toMatch(/busy\.xml: HTTP 503; skipped/);
    });
  }, 60_000);

  test('with --redis two processes reading one host share its spacing', async () => {
    const children = [1, 2, 3, 4];
    await withSite('127.0.7.3', (origin) => Object.fromEntries([
      ['/index.xml', send(sitemapIndex(children.map((i) => ({ loc: `${origin}/s${i}.xml` }))))],
      ...children.map((i) => [`/s${i}.xml`, send(urlset([{ loc: `${origin}/p${i}` }]))]),
    ]) as Record<string, Route>, async (server) => {
      // A prefix of its own: the limiter's Redis keys are this test's alone.
      const args = ['--redis', testRedisUrl(), '--topic-prefix', `${uniqueName('sitemap')}.`, 'sitemap', `${server.origin}/index.xml`,
        '--allow-private', '--host-delay', `${DELAY_MS}ms`];
      const [one, two] = await Promise.all([runCli(args, { timeoutMs: 60_000 }), runCli(args, { timeoutMs: 60_000 })]);
      expect([one.code, two.code]).toEqual([0, 0]);
      expect(one.stdout.trim().split('\n')).toHaveLength(4);
      expect(two.stdout.trim().split('\n')).toHaveLength(4);
      // 2 × (robots.txt, index, 4 children) to one host, spaced as if one process had made them all.
      expect(server.arrivals).toHaveLength(12);
      expect(minGapMs(server.arrivals)).toBeGreaterThanOrEqual(DELAY_MS * 0.9);
    });
  }, 90_000);

  test('--produce delivers every URL exactly once to the urls topic, with produce\'s envelope', async () => {
    const topic = await createTestTopic('sitemap-urls', 3);
    const r = await runCli(['--brokers', testBrokers(), ...siteArgs(), '--host-delay', '50ms',
      '--produce', '--topic', topic, '--customer', 'shop', '--json'], { timeoutMs: 90_000, cwd: dir });
    expect(r.stderr).not.toMatch(/internal error/);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    const summary = JSON.parse(r.stdout) as { urls: number; produce: { delivered: number; failed: number } };
    expect(summary.urls).toBe(8);
    expect(summary.produce).toMatchObject({ delivered: 8, failed: 0 });
    const messages = await readBack(topic, 9, 8_000);
    const envelopes = messages.map((m) => JSON.parse(m.value!) as { url: string; customer_id: string });
    expect(envelopes.map((e) => e.url).sort()).toEqual(expected);
    expect(new Set(envelopes.map((e) => e.customer_id))).toEqual(new Set(['shop']));
  }, 120_000);
});
