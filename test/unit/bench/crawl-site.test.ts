/** The generated site of `npm run bench -- crawl`: the link graph, its pages' HTML, and reachability in scope. */
import { describe, expect, test } from '@jest/globals';
import { hostAddress, hostName, linksOf, pageHtml, pageOfPath, pagePath, reachable } from '../../../bench/_crawl-site.js';

const shape = { hosts: 100, pagesPerHost: 200 };
const origins = Array.from({ length: shape.hosts }, (_, h) => `http://${hostName(h)}:8${String(h).padStart(3, '0')}`);

/** Every href of a page, resolved against the page's URL as a crawler would. */
function hrefs(h: number, i: number): URL[] {
  const base = new URL(pagePath(i), origins[h]);
  return [...pageHtml(shape, origins, h, i).matchAll(/href="([^"]+)"/g)].map((m) => new URL(m[1]!, base));
}

describe('crawl bench site', () => {
  test('names and addresses: one distinct name (a domain of its own) and loopback address per host', () => {
    expect([hostName(0), hostName(99)]).toEqual(['site001.test', 'site100.test']);
    expect([hostAddress(0), hostAddress(99)]).toEqual(['127.0.2.1', '127.0.2.100']);
    expect(() => hostAddress(254)).toThrow();
  });

  test('paths and pages map both ways; anything else is no page', () => {
    for (const i of [0, 1, 57, 199]) expect(pageOfPath(pagePath(i), 200)).toBe(i);
    for (const p of ['/p/200.html', '/p/0.html', '/p/x.html', '/robots.txt', '/p/1.html/']) expect(pageOfPath(p, 200)).toBeUndefined();
  });

  test('the graph is deterministic and every link of every page names a page of the site', () => {
    expect(linksOf(shape, 7, 42)).toEqual(linksOf(shape, 7, 42));
    for (const [h, i] of [[0, 0], [3, 7], [99, 199], [50, 120]] as const) {
      for (const url of hrefs(h, i)) {
        const host = origins.findIndex((o) => o === url.origin);
        expect(host).toBeGreaterThanOrEqual(0);
        expect(pageOfPath(url.pathname, shape.pagesPerHost)).toBeDefined();
      }
    }
  });

  test('pages link across hosts (out of a host-scoped crawl) and carry a #fragment link and a canonical to themselves', () => {
    const html = pageHtml(shape, origins, 3, 7);
    const cross = hrefs(3, 7).filter((u) => u.origin !== origins[3]);
    expect(cross.length).toBe(3);
    expect(html).toContain('#reviews"');
    expect(html).toContain(`<link rel="canonical" href="${origins[3]}/p/7.html">`);
  });

  test('reachability is counted from the graph: every page of every host from its root, shallow', () => {
    expect(reachable(shape)).toEqual({ pages: 20_000, maxDepth: 4 });
    expect(reachable({ hosts: 100, pagesPerHost: 20 }).pages).toBe(2_000);
  });
});
