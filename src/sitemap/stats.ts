/** The counters of one `kscrape sitemap` run, and its summary (a line for people, an object for --json). */
import type { SitemapSkipReason, UrlSkipReason } from './types.js';

export class SitemapStats {
  /** Page URLs emitted. */
  urls = 0;
  /** Sitemap files read (fully or up to a cap). */
  sitemapsRead = 0;
  /** Index files among them. */
  indexesRead = 0;
  /** Decompressed bytes read over all sitemaps. */
  bytes = 0;
  readonly skippedUrls = new Map<UrlSkipReason, number>();
  readonly skippedSitemaps = new Map<SitemapSkipReason, number>();
  /** A sitemap given on the command line (or found for a site) could not be read. */
  rootFailures = 0;
  /** Set when the run ended early: the total URL cap, a signal, or the output going away (`aborted`). */
  stoppedBy: 'total-cap' | 'aborted' | NodeJS.Signals | undefined;
  readonly startedAt = Date.now();

  skipUrl(reason: UrlSkipReason): void {
    this.skippedUrls.set(reason, (this.skippedUrls.get(reason) ?? 0) + 1);
  }

  skipSitemap(reason: SitemapSkipReason): void {
    this.skippedSitemaps.set(reason, (this.skippedSitemaps.get(reason) ?? 0) + 1);
  }

  toJSON(): Record<string, unknown> {
    return {
      urls: this.urls,
      sitemaps_read: this.sitemapsRead,
      indexes_read: this.indexesRead,
      bytes: this.bytes,
      urls_skipped: Object.fromEntries(this.skippedUrls),
      sitemaps_skipped: Object.fromEntries(this.skippedSitemaps),
      stopped_by: this.stoppedBy ?? null,
      elapsed_ms: Date.now() - this.startedAt,
    };
  }

  /** `sitemap: 1200 URLs from 4 sitemaps (1 index) in 2.1s; URLs skipped: cross-host 3; sitemaps skipped: fetch 1` */
  summaryLine(): string {
    const part = (label: string, m: Map<string, number>) => (m.size ? `; ${label}: ${[...m].map(([r, n]) => `${r} ${n}`).join(', ')}` : '');
    const secs = ((Date.now() - this.startedAt) / 1000).toFixed(1);
    return `sitemap: ${this.urls} URLs from ${this.sitemapsRead} sitemaps (${this.indexesRead} index) in ${secs}s`
      + `${part('URLs skipped', this.skippedUrls)}${part('sitemaps skipped', this.skippedSitemaps)}`
      + `${this.stoppedBy ? `; stopped by ${this.stoppedBy}` : ''}`;
  }
}
