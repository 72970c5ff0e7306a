/**
 * The demo's test site, as data: a small shop on three loopback host names, what each path answers, the links
 * of its pages (the demo crawls it from the shop's home page), the sitemap (the same URLs), and where each of
 * those URLs should end after the demo's runs (work, dlq retry, work, dlq retry).
 * Pure: the server (site-server.ts) and the checks (outcomes.ts, the tests) read the same table.
 */

export interface SiteHost {
  name: string;
  address: string;
}

/** Names the worker reaches through `--resolve name:port:address`: no /etc/hosts entry needed. */
export const SITE_HOSTS: readonly SiteHost[] = [
  { name: 'shop.test', address: '127.0.5.1' },
  { name: 'blog.test', address: '127.0.5.2' },
  { name: 'cdn.test', address: '127.0.5.3' },
];
export const SITE_CIDR = '127.0.5.0/24';
/** robots.txt's Crawl-delay, seconds: it raises the worker's smaller --host-delay for every host. */
export const CRAWL_DELAY_S = 0.2;

/**
 * How a path behaves. flaky: 500 on the first request, 200 afterwards (recovers on the retry); down: 503 every
 * time (parked after two attempts); private: under robots.txt's Disallow (never requested).
 */
export type Behaviour =
  | { kind: 'page' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'missing' }
  | { kind: 'flaky' }
  | { kind: 'down' }
  | { kind: 'redirect'; to: string }
  | { kind: 'private' }
  | { kind: 'binary'; contentType: string };

/** Where a URL ends after the whole demo: a page, an error with its reason, still in the dlq, or parked. */
export type FinalOutcome = 'page' | `error:${string}` | 'dlq' | 'parked';

export interface SitePath {
  host: string;
  path: string;
  behaviour: Behaviour;
  /** Listed in sitemap.xml (redirect targets are not: the worker reaches them through the redirect). */
  inSitemap: boolean;
}

const CATEGORIES = ['shoes', 'shirts', 'hats', 'bags'];

function shopPaths(): SitePath[] {
  const shop = (path: string, behaviour: Behaviour, inSitemap = true): SitePath => ({ host: 'shop.test', path, behaviour, inSitemap });
  const special: Record<number, Behaviour> = {
    7: { kind: 'missing' }, 19: { kind: 'missing' }, 12: { kind: 'slow', delayMs: 800 }, 16: { kind: 'flaky' },
  };
  return [
    shop('/', { kind: 'page' }),
    ...CATEGORIES.map((c) => shop(`/category/${c}`, { kind: 'page' })),
    ...Array.from({ length: 24 }, (_, i) => shop(`/product/${i + 1}`, special[i + 1] ?? { kind: 'page' })),
    shop('/sale', { kind: 'redirect', to: '/category/sale' }),
    shop('/category/sale', { kind: 'page' }, false),
    shop('/account/orders', { kind: 'private' }),
    shop('/api/stock', { kind: 'down' }),
  ];
}

function blogPaths(): SitePath[] {
  const blog = (path: string, behaviour: Behaviour, inSitemap = true): SitePath => ({ host: 'blog.test', path, behaviour, inSitemap });
  const posts = ['spring-collection', 'care-guide', 'sizing', 'behind-the-seams', 'gift-ideas', 'returns-policy'];
  return [
    blog('/', { kind: 'page' }),
    ...posts.map((p) => blog(`/posts/${p}`, { kind: 'page' })),
    blog('/posts/launch', { kind: 'flaky' }),
    blog('/posts/lookbook', { kind: 'slow', delayMs: 600 }),
    blog('/posts/old-post', { kind: 'redirect', to: '/posts/new-post' }),
    blog('/posts/new-post', { kind: 'page' }, false),
    blog('/posts/draft', { kind: 'missing' }),
  ];
}

function cdnPaths(): SitePath[] {
  const cdn = (path: string, behaviour: Behaviour): SitePath => ({ host: 'cdn.test', path, behaviour, inSitemap: true });
  return [
    cdn('/img/hero.png', { kind: 'binary', contentType: 'image/png' }),
    cdn('/img/logo.png', { kind: 'binary', contentType: 'image/png' }),
    cdn('/styles.css', { kind: 'binary', contentType: 'text/css' }),
    cdn('/manifest.json', { kind: 'page' }),
  ];
}

export const SITE_PATHS: readonly SitePath[] = [...shopPaths(), ...blogPaths(), ...cdnPaths()];

export const ROBOTS_TXT = `User-agent: *\nDisallow: /account\nCrawl-delay: ${CRAWL_DELAY_S}\n`;

export function origin(host: string, port: number): string {
  return `http://${host}:${port}`;
}

/**
 * The links of a page (absolute URLs), so that a crawl from the shop's home page reaches exactly the URLs the
 * sitemap lists: home → categories, /sale, /account/orders, /api/stock, the blog's home and the CDN files;
 * a category → its six products; the blog's home → its posts; every other page → its host's home if it has one
 * (already seen: the dedupe at work).
 */
export function linksOf(host: string, path: string, port: number): string[] {
  const listed = SITE_PATHS.filter((p) => p.inSitemap);
  const url = (p: SitePath) => `${origin(p.host, port)}${p.path}`;
  if (host === 'shop.test' && path === '/') {
    const shop = listed.filter((p) => p.host === 'shop.test' && p.path !== '/' && !p.path.startsWith('/product/'));
    const others = listed.filter((p) => (p.host === 'blog.test' && p.path === '/') || p.host === 'cdn.test');
    return [...shop, ...others].map(url);
  }
  const category = CATEGORIES.indexOf(/^\/category\/(\w+)$/.exec(path)?.[1] ?? '');
  if (host === 'shop.test' && category >= 0) return Array.from({ length: 6 }, (_, k) => `${origin(host, port)}/product/${category * 6 + k + 1}`);
  if (host === 'blog.test' && path === '/') return listed.filter((p) => p.host === 'blog.test' && p.path !== '/').map(url);
  return listed.some((p) => p.host === host && p.path === '/') ? [`${origin(host, port)}/`] : [];
}

/** Every URL sitemap.xml lists, in its order. */
export function sitemapUrls(port: number): string[] {
  return SITE_PATHS.filter((p) => p.inSitemap).map((p) => `${origin(p.host, port)}${p.path}`);
}

export function sitemapXml(port: number): string {
  const entries = sitemapUrls(port).map((loc) => `  <url><loc>${loc}</loc><changefreq>daily</changefreq></url>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${entries.join('\n')}\n</urlset>\n`;
}

/** The final outcome each behaviour leads to after the demo's sequence (two attempts for what is retried). */
export function expectedOutcome(behaviour: Behaviour): FinalOutcome {
  switch (behaviour.kind) {
    case 'page': case 'slow': case 'flaky': case 'redirect': return 'page';
    case 'missing': return 'error:http-status';
    case 'private': return 'error:robots';
    case 'binary': return 'error:unsupported-content';
    case 'down': return 'parked';
  }
}

/** Sitemap URL → the outcome it should reach. */
export function expectedOutcomes(port: number): Map<string, FinalOutcome> {
  return new Map(SITE_PATHS.filter((p) => p.inSitemap).map((p) => [`${origin(p.host, port)}${p.path}`, expectedOutcome(p.behaviour)]));
}

export interface SiteResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  delayMs: number;
}

/** The rules the demo's `kscrape extract` runs with (the README's "Extracting data" shows the same shape). */
export const DEMO_RULES = `rule_sets:
  - name: product
    hosts: [shop.test]
    url: "/product/"
    fields:
      name: { selector: h1.product-title, required: true }
      price: { selector: .price, type: price, required: true }
      tags: { selector: .tag, multiple: true }
`;

/**
 * What `host` (served on `port`) answers for `path`; `hits` is how many times this host and path were requested
 * before (the flaky pages fail only the first time). shop.test serves the sitemap.
 */
export function respond(host: string, port: number, path: string, hits: number): SiteResponse {
  const html = (title: string, status = 200, delayMs = 0): SiteResponse => {
    const links = status === 200 ? linksOf(host, path, port).map((href) => `<li><a href="${href}">${href.replace(/^http:\/\/[^/]+/, '')}</a></li>`) : [];
    return {
      status, delayMs, headers: { 'content-type': 'text/html; charset=utf-8' },
      body: `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1><p>${host}${path}</p><ul>${links.join('')}</ul></body></html>\n`,
    };
  };
  if (path === '/robots.txt') return { status: 200, delayMs: 0, headers: { 'content-type': 'text/plain' }, body: ROBOTS_TXT };
  if (path === '/sitemap.xml' && host === SITE_HOSTS[0]!.name) return { status: 200, delayMs: 0, headers: { 'content-type': 'application/xml' }, body: sitemapXml(port) };
  const entry = SITE_PATHS.find((p) => p.host === host && p.path === path);
  if (!entry) return html('Not found', 404);
  const b = entry.behaviour;
  const page = () => (path.startsWith('/product/') ? product(host, path, port) : html(titleOf(path)));
  switch (b.kind) {
    case 'page': case 'private': return page();
    case 'slow': return { ...page(), delayMs: b.delayMs };
    case 'missing': return html('Not found', 404);
    case 'flaky': return hits === 0 ? html('Internal error', 500) : page();
    case 'down': return html('Service unavailable', 503);
    case 'redirect': return { status: 301, delayMs: 0, headers: { location: b.to, 'content-type': 'text/plain' }, body: `moved to ${b.to}\n` };
    case 'binary': return { status: 200, delayMs: 0, headers: { 'content-type': b.contentType }, body: 'x'.repeat(256) };
  }
}

/** A product page with what `kscrape extract` takes in the demo: a name, a price (markup and JSON-LD), tags. */
function product(host: string, path: string, port: number): SiteResponse {
  const n = Number(path.split('/').pop());
  // The same links as every other page (back to the home page), so the demo's crawl sees one site.
  const links = linksOf(host, path, port).map((href) => `<li><a href="${href}">${href.replace(/^http:\/\/[^/]+/, '')}</a></li>`);
  const name = `${['Trail', 'Road', 'Summit', 'Harbour'][n % 4]} ${['Runner', 'Shirt', 'Cap', 'Pack'][Math.floor(n / 4) % 4]} ${n}`;
  const price = (19 + n * 7.5).toFixed(2);
  const jsonLd = JSON.stringify({ '@context': 'https://schema.org', '@type': 'Product', name, sku: `SKU-${n}`, offers: { '@type': 'Offer', price, priceCurrency: 'EUR' } });
  return {
    status: 200, delayMs: 0, headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!doctype html><html lang="en"><head><title>${name} – shop.test</title><meta name="description" content="${name}, in stock.">`
      + `<meta property="og:title" content="${name}"><script type="application/ld+json">${jsonLd}</script></head>`
      + `<body><h1 class="product-title">${name}</h1><span class="price">€${price}</span>`
      + `<ul><li class="tag">${CATEGORIES[n % CATEGORIES.length]}</li><li class="tag">new</li></ul><p>${host}${path}</p><ul>${links.join('')}</ul></body></html>\n`,
  };
}

function titleOf(path: string): string {
  return path === '/' ? 'Home' : path.split('/').filter(Boolean).join(' / ');
}
