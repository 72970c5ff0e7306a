/** What a sitemap yields, and why something in it was not emitted. */

/** A page URL of a `<urlset>` (or a line of a text sitemap), as written in the file. */
export interface SitemapUrlEntry {
  loc: string;
  lastmod?: string;
  changefreq?: string;
  priority?: string;
}

/** A child of a `<sitemapindex>`, as written in the file. */
export interface SitemapChildEntry {
  loc: string;
  lastmod?: string;
}

/** What a file turned out to be, from its first element (or first character: text sitemaps have no `<`). */
export type SitemapKind = 'urlset' | 'sitemapindex' | 'text' | 'unknown';

/**
 * Why a sitemap, or part of one, was not read (counted and reported, never ending the run):
 * - `fetch`: the fetch failed (4xx, 5xx, timeout, robots.txt, refused address);
 * - `parse`: not well-formed XML, or a root element that is neither urlset nor sitemapindex;
 * - `size-cap`: more than the per-file byte cap after decompression (a gzip bomb ends here);
 * - `url-cap`: more entries than the per-file URL cap; the rest of the file is ignored;
 * - `depth-cap`: an index nested deeper than the depth cap;
 * - `sitemap-cap`: more sitemaps than the total sitemap cap;
 * - `older-than-since`: an index child whose lastmod is before --since (not fetched);
 * - `duplicate`: a sitemap already read in this run.
 */
export type SitemapSkipReason = 'fetch' | 'parse' | 'size-cap' | 'url-cap' | 'depth-cap' | 'sitemap-cap' | 'older-than-since' | 'duplicate';

/**
 * Why a page URL was not emitted:
 * - `invalid-url`: refused by the URL rules of `produce` (records/normalizeUrl);
 * - `cross-host`: on another host than its sitemap, which robots.txt did not list (the sitemaps protocol);
 * - `older-than-since`: lastmod before --since;
 * - `excluded`: not matched by --include, or matched by --exclude;
 * - `total-cap`: past the total URL cap of the run.
 */
export type UrlSkipReason = 'invalid-url' | 'cross-host' | 'older-than-since' | 'excluded' | 'total-cap';
