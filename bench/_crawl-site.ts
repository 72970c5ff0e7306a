/**
 * The generated site of `bench/crawl.ts`, pure: H hosts (site001.test … site100.test, pinned to 127.0.2.1 …
 * 127.0.2.100 by both crawlers, so Crawlee's per-domain delay sees distinct domains: it ignores IP hosts) of P
 * pages each, a deterministic link graph, each page's HTML, and the set reachable from the roots within the
 * crawl's scope (same host), counted from the graph itself.
 *
 * Page i of a host links to: home, its parent, its tree children 5i+1 … 5i+5 (so every page is reachable from
 * the root through its own host, at depth ≤ log5 P), three more pages of its host picked by a seeded generator
 * (one of them with a #fragment, which names the same page), itself as <link rel=canonical>, and three pages on
 * other hosts (absolute URLs, outside a host-scoped crawl: each is reached from its own root instead).
 */
export interface SiteShape {
  hosts: number;
  pagesPerHost: number;
}

export const TREE_FANOUT = 5;
const OWN_RANDOM_LINKS = 3;
const CROSS_HOST_LINKS = 3;

/** site001.test … : a name per host (Crawlee's sameDomainDelaySecs keys on the registrable domain). */
export function hostName(h: number): string {
  return `site${String(h + 1).padStart(3, '0')}.test`;
}

/** 127.0.2.1 … 127.0.2.N: the address each name is pinned to. */
export function hostAddress(h: number): string {
  if (h < 0 || h > 253) throw new Error(`host index must be 0..253, not ${h}`);
  return `127.0.2.${h + 1}`;
}

export function pagePath(i: number): string {
  return i === 0 ? '/' : `/p/${i}.html`;
}

/** The page index of a path, or undefined (not a page of the site). */
export function pageOfPath(path: string, pagesPerHost: number): number | undefined {
  if (path === '/') return 0;
  const m = /^\/p\/(\d+)\.html$/.exec(path);
  const i = m ? Number(m[1]) : NaN;
  return Number.isInteger(i) && i > 0 && i < pagesPerHost ? i : undefined;
}

/** A small seeded generator (mulberry32): the same graph on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PageLinks {
  /** Page indexes on the same host, in document order (repeats possible: home and parent are also tree links). */
  own: number[];
  /** The one own link written with a #fragment (also in `own`). */
  fragment: number;
  /** [host, page] on other hosts. */
  cross: [number, number][];
}

export function linksOf(shape: SiteShape, h: number, i: number): PageLinks {
  const next = random(h * 1_000_003 + i * 7919 + 1);
  const pick = (n: number) => Math.floor(next() * n);
  const own = [0, i === 0 ? 0 : Math.floor((i - 1) / TREE_FANOUT)];
  for (let c = TREE_FANOUT * i + 1; c <= TREE_FANOUT * i + TREE_FANOUT && c < shape.pagesPerHost; c++) own.push(c);
  const extra = Array.from({ length: OWN_RANDOM_LINKS }, () => pick(shape.pagesPerHost));
  own.push(...extra);
  const cross: [number, number][] = [];
  if (shape.hosts > 1) {
    for (let k = 0; k < CROSS_HOST_LINKS; k++) cross.push([(h + 1 + pick(shape.hosts - 1)) % shape.hosts, pick(shape.pagesPerHost)]);
  }
  return { own, fragment: extra[0]!, cross };
}

const PARAGRAPH = '<p>Our catalogue lists every item with its dimensions, materials and care instructions. Orders placed before '
  + 'noon ship the same day; returns are free within thirty days of delivery.</p>\n';

/** The HTML of page i of host h, about 3 KB; `origins[h]` is `http://siteNNN.test:port`. */
export function pageHtml(shape: SiteShape, origins: readonly string[], h: number, i: number): string {
  const links = linksOf(shape, h, i);
  const own = links.own.map((j, n) => `<li><a href="${pagePath(j)}${n === links.own.length - OWN_RANDOM_LINKS ? '#reviews' : ''}">Page ${j}</a></li>`).join('\n');
  const cross = links.cross.map(([oh, j]) => `<li><a href="${origins[oh]}${pagePath(j)}">${hostName(oh)} page ${j}</a></li>`).join('\n');
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${hostName(h)} — page ${i}</title>\n`
    + `<link rel="canonical" href="${origins[h]}${pagePath(i)}"></head>\n<body>\n<header><nav><a href="/">Home</a></nav></header>\n`
    + `<main><h1>Page ${i}</h1>\n${PARAGRAPH.repeat(8)}<ul class="related">\n${own}\n</ul>\n</main>\n`
    + `<aside><h2>Partners</h2><ul>\n${cross}\n</ul></aside>\n<footer>${PARAGRAPH}</footer>\n</body></html>\n`;
}

/**
 * Pages reachable from the roots through same-host links (the crawl's scope), and the deepest shortest path:
 * what a complete crawl must fetch, computed from the graph rather than assumed.
 */
export function reachable(shape: SiteShape): { pages: number; maxDepth: number } {
  let pages = 0;
  let maxDepth = 0;
  for (let h = 0; h < shape.hosts; h++) {
    const depth = new Int32Array(shape.pagesPerHost).fill(-1);
    depth[0] = 0;
    const queue = [0];
    for (let q = 0; q < queue.length; q++) {
      const i = queue[q]!;
      for (const j of linksOf(shape, h, i).own) {
        if (depth[j] !== -1) continue;
        depth[j] = depth[i]! + 1;
        maxDepth = Math.max(maxDepth, depth[j]!);
        queue.push(j);
      }
    }
    pages += queue.length;
  }
  return { pages, maxDepth };
}
