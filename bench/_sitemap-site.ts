/**
 * The site of `bench/sitemap.ts`, in a process of its own (forked, driven over IPC) so serving costs the
 * measured tools nothing: one loopback host serving generated sitemaps, all built once at start.
 *
 *   /sitemap.xml, /sitemap.xml.gz        one urlset of N entries (N = 50 000, the protocol's maximum, ~44 MB)
 *   /index.xml, /index-gz.xml            a sitemapindex of C children (/child/<k>.xml or /child/<k>.xml.gz)
 *   /child/<k>.xml[.gz]                  the same N entries split over the C children
 *   /index-few.xml, /few/<k>.xml         the same N entries over C / 10 children (does memory grow with C?)
 *   /small.xml                           N / 10 entries (is memory flat in the file's size?)
 *   /robots.txt                          404 (kscrape asks for it, as it does before any fetch on a host)
 *
 * Entries look like a shop's: a product URL (a tenth carry a query string, escaped as XML wants), lastmod,
 * changefreq, priority, three hreflang alternates and an image — elements both readers must skip — so an entry
 * is ~930 bytes and the 50 000-entry file comes near the protocol's 50 MB limit.
 *
 * IPC: {type:'start', address, entries, children} → {type:'started', origin, bytes}; {type:'stop'}.
 */
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';

export interface SiteStart { type: 'start'; address: string; entries: number; children: number }
export interface SiteStarted { type: 'started'; origin: string; bytes: Record<string, number> }

const CATEGORIES = ['kitchen', 'garden', 'outdoor-furniture', 'lighting', 'bathroom', 'tools', 'bedding', 'storage'];
const WORDS = ['stainless', 'steel', 'oak', 'round', 'compact', 'deluxe', 'folding', 'ceramic', 'linen', 'cordless',
  'set', 'lamp', 'chair', 'table', 'knife', 'drill', 'shelf', 'basket', 'pillow', 'mirror', 'grey', 'walnut'];
const LOCALES = ['en-gb', 'de-de', 'fr-fr'];

/** The path of entry i (deterministic): /<locale>/products/<category>/<slug>-p<id>.html[?variant=..&size=..] */
export function productPath(i: number, locale = 'en-us'): string {
  const slug = [0, 1, 2, 3].map((k) => WORDS[(i * 7 + k * 13 + (i >> k)) % WORDS.length]).join('-');
  const query = i % 10 === 0 ? `?variant=${WORDS[i % WORDS.length]}&size=${(i % 5) + 36}` : '';
  return `/${locale}/products/${CATEGORIES[i % CATEGORIES.length]}/${slug}-p${String(i).padStart(7, '0')}.html${query}`;
}

/** The child count of /index-few.xml. */
export const fewChildren = (children: number): number => Math.max(1, Math.round(children / 10));

const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** One <url> element, about 930 bytes. */
export function urlEntry(origin: string, i: number): string {
  const day = String((i % 28) + 1).padStart(2, '0');
  const alternates = LOCALES.map((l) => `    <xhtml:link rel="alternate" hreflang="${l}" href="${xmlText(origin + productPath(i, l))}"/>\n`).join('');
  const title = productPath(i).split('/')[4]!.replace(/-p\d+\.html.*$/, '').replace(/-/g, ' ');
  const images = [1].map((n) => `    <image:image>\n      <image:loc>${origin}/media/catalog/product/p${String(i).padStart(7, '0')}-${n}.jpg</image:loc>\n`
    + `      <image:title>${title} (view ${n})</image:title>\n    </image:image>\n`).join('');
  return `  <url>\n    <loc>${xmlText(origin + productPath(i))}</loc>\n    <lastmod>2026-11-${day}T08:${String(i % 60).padStart(2, '0')}:00+00:00</lastmod>\n`
    + `    <changefreq>${i % 3 ? 'weekly' : 'daily'}</changefreq>\n    <priority>${i % 4 ? '0.6' : '0.8'}</priority>\n${alternates}${images}  </url>\n`;
}

const URLSET_OPEN = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
  + 'xmlns:xhtml="http://www.w3.org/1999/xhtml" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">\n';

/** A urlset of entries [from, to). */
export function urlset(origin: string, from: number, to: number): Buffer {
  const parts = [URLSET_OPEN];
  for (let i = from; i < to; i++) parts.push(urlEntry(origin, i));
  parts.push('</urlset>\n');
  return Buffer.from(parts.join(''));
}

export function sitemapIndex(origin: string, children: number, suffix: string, folder = 'child'): Buffer {
  const parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'];
  for (let k = 0; k < children; k++) parts.push(`  <sitemap>\n    <loc>${origin}/${folder}/${k}${suffix}</loc>\n    <lastmod>2026-11-30</lastmod>\n  </sitemap>\n`);
  parts.push('</sitemapindex>\n');
  return Buffer.from(parts.join(''));
}

function serve(start: SiteStart): void {
  const server = createServer();
  server.listen(0, start.address, () => {
    const origin = `http://${start.address}:${(server.address() as { port: number }).port}`;
    const files = new Map<string, { body: Buffer; type: string }>();
    const xml = (body: Buffer) => ({ body, type: 'application/xml' });
    const gz = (body: Buffer) => ({ body: gzipSync(body), type: 'application/gzip' });
    const big = urlset(origin, 0, start.entries);
    files.set('/sitemap.xml', xml(big));
    files.set('/sitemap.xml.gz', gz(big));
    files.set('/small.xml', xml(urlset(origin, 0, Math.ceil(start.entries / 10))));
    files.set('/index.xml', xml(sitemapIndex(origin, start.children, '.xml')));
    files.set('/index-gz.xml', xml(sitemapIndex(origin, start.children, '.xml.gz')));
    const per = Math.ceil(start.entries / start.children);
    for (let k = 0; k < start.children; k++) {
      const child = urlset(origin, k * per, Math.min(start.entries, (k + 1) * per));
      files.set(`/child/${k}.xml`, xml(child));
      files.set(`/child/${k}.xml.gz`, gz(child));
    }
    // The same entries over a tenth of the children (ten times bigger each), plain only.
    const few = fewChildren(start.children);
    const perFew = Math.ceil(start.entries / few);
    files.set('/index-few.xml', xml(sitemapIndex(origin, few, '.xml', 'few')));
    for (let k = 0; k < few; k++) files.set(`/few/${k}.xml`, xml(urlset(origin, k * perFew, Math.min(start.entries, (k + 1) * perFew))));
    server.on('request', (req, res) => {
      const file = files.get(req.url ?? '');
      if (!file) { res.writeHead(404); res.end(); return; }
      res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length });
      res.end(file.body);
    });
    server.keepAliveTimeout = 30_000;
    const bytes = Object.fromEntries(['/sitemap.xml', '/sitemap.xml.gz', '/small.xml', '/index.xml'].map((p) => [p, files.get(p)!.body.length]));
    process.send!({ type: 'started', origin, bytes } satisfies SiteStarted);
  });
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'stop') { server.closeAllConnections(); server.close(); process.exit(0); }
  });
}

if (process.send) process.once('message', (msg: SiteStart) => serve(msg));
