/** The settings of `kscrape sitemap`, documented and defaulted in one place; `--help` reads the defaults here. */

export interface SitemapSettings {
  /**
   * Most bytes read from one sitemap, counted after decompression (a gzip bomb stops here, reason `size-cap`).
   * @default 52428800 (50 MiB, the sitemaps protocol's limit)
   */
  maxFileBytes: number;
  /** Most entries read from one sitemap; the rest of the file is skipped (`url-cap`). @default 50000 (the protocol's) */
  maxFileUrls: number;
  /** Most page URLs emitted in the whole run; reading stops there (`total-cap`). @default 10000000 */
  maxUrls: number;
  /** Most sitemap files fetched in the whole run (`sitemap-cap`). @default 100000 */
  maxSitemaps: number;
  /** Index nesting followed: the given sitemaps are depth 0, their children 1, ... (`depth-cap`). @default 3 */
  maxDepth: number;
  /** Entries (and index children) with a lastmod before this epoch ms are skipped. @default undefined (none) */
  sinceMs: number | undefined;
  /** Emit only URLs matching one of these. @default [] (all) */
  include: RegExp[];
  /** Emit no URL matching one of these. @default [] */
  exclude: RegExp[];
  /** Longer URLs are refused, as `produce` refuses them. @default DEFAULT_MAX_URL_LENGTH (records) */
  maxUrlLength: number;
}

export const SITEMAP_DEFAULTS = Object.freeze({
  maxFileBytes: 50 * 1024 * 1024,
  maxFileUrls: 50_000,
  maxUrls: 10_000_000,
  maxSitemaps: 100_000,
  maxDepth: 3,
});

/** How page URLs are written: one per line, or one JSON object per line with the sitemap's fields. */
export const SITEMAP_FORMATS = ['url', 'jsonl'] as const;
export type SitemapFormat = (typeof SITEMAP_FORMATS)[number];
