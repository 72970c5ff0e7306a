/**
 * The peer of `bench/sitemap.ts`: Crawlee's sitemap loader (`parseSitemap` of @crawlee/utils, the streaming form
 * `Sitemap.load` is built on; `Sitemap.load` also keeps every URL in an array) reading one sitemap or index as its
 * own process (`node dist/bench/_sitemap-crawlee.js <sitemap-url>`), timed from spawn to exit like
 * `kscrape sitemap`. Writes each URL on a line to stdout, as kscrape does, and one JSON line to stderr at the end:
 * {urls, seconds}.
 *
 * Made comparable to kscrape's run: no retries (nothing fails here), nested sitemaps followed to depth 3
 * (kscrape's --max-depth default), the default same-hostname filter (every URL is on the sitemap's host). Its
 * log stays at the default level: the loader only logs warnings (a failed or malformed sitemap).
 */
import { parseSitemap } from '@crawlee/utils';

async function main(): Promise<void> {
  const [url] = process.argv.slice(2);
  if (!url) throw new Error('usage: _sitemap-crawlee.js <sitemap-url>');
  const t0 = performance.now();
  let urls = 0;
  for await (const entry of parseSitemap([{ type: 'url', url }], undefined, { maxDepth: 3, sitemapRetries: 0 })) {
    urls++;
    // Back-pressure as kscrape's line writer has it: wait for drain when the stream's buffer is full.
    if (!process.stdout.write(`${entry.loc}\n`)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
  process.stderr.write(`${JSON.stringify({ urls, seconds: (performance.now() - t0) / 1000 })}\n`);
}

main().then(() => process.exit(0), (err: Error) => {
  process.stderr.write(`crawlee: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
