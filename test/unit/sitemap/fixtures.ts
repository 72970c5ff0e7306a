/** Sitemap texts for the sitemap tests. */
export function urlset(urls: { loc: string; lastmod?: string; changefreq?: string; priority?: string }[]): string {
  const entries = urls.map((u) => `<url><loc>${u.loc}</loc>${u.lastmod ? `<lastmod>${u.lastmod}</lastmod>` : ''}`
    + `${u.changefreq ? `<changefreq>${u.changefreq}</changefreq>` : ''}${u.priority ? `<priority>${u.priority}</priority>` : ''}</url>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${entries.join('\n')}\n</urlset>\n`;
}

export function sitemapIndex(children: { loc: string; lastmod?: string }[]): string {
  const entries = children.map((c) => `<sitemap><loc>${c.loc}</loc>${c.lastmod ? `<lastmod>${c.lastmod}</lastmod>` : ''}</sitemap>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${entries.join('\n')}\n</sitemapindex>\n`;
}

/** `n` URLs on `origin`, generated lazily in chunks of about 64 KiB (the whole file never exists at once). */
export function* bigUrlset(origin: string, n: number): Generator<Buffer> {
  yield Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n');
  let chunk = '';
  for (let i = 0; i < n; i++) {
    chunk += `<url><loc>${origin}/products/item-${i}?color=red&amp;size=${i % 7}</loc><lastmod>2026-11-01</lastmod><changefreq>daily</changefreq><priority>0.5</priority></url>\n`;
    if (chunk.length > 64 * 1024) { yield Buffer.from(chunk); chunk = ''; }
  }
  yield Buffer.from(`${chunk}</urlset>\n`);
}
