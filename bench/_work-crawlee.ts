/**
 * The peer of `bench/work.ts`: Crawlee's HttpCrawler over a file of URLs, run as its own process
 * (`node dist/bench/_work-crawlee.js <url-file> <concurrency>`), so it is timed from spawn to exit like
 * `kscrape work`. Prints one JSON line: {crawlSeconds, succeeded, failed, bytes}.
 *
 * Made comparable to kscrape's run (each setting's reason below): fixed concurrency, no session pool, no
 * per-domain delay, no retries, no robots.txt, in-memory storage, no browser-like header generation, the
 * body read as a Buffer and not parsed.
 */
import { readFileSync } from 'node:fs';
import { Configuration, HttpCrawler, RequestList, log } from '@crawlee/http';

async function main(): Promise<void> {
  const [file, concurrencyText] = process.argv.slice(2);
  if (!file || !concurrencyText) throw new Error('usage: _work-crawlee.js <url-file> <concurrency>');
  const concurrency = Number(concurrencyText);
  const urls = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  log.setLevel(log.LEVELS.WARNING);
  // In-memory storage, nothing written to ./storage (kscrape keeps its state in Kafka, not on local disk).
  const config = Configuration.getGlobalConfig();
  config.set('persistStorage', false);
  config.set('purgeOnStart', false);
  config.set('storageClientOptions', { persistStorage: false, writeMetadata: false });
  // No persistStateKey (null): the list is not saved anywhere.
  const requestList = await RequestList.open(null, urls);
  let succeeded = 0;
  let bytes = 0;
  const crawler = new HttpCrawler({
    requestList,
    // kscrape runs exactly --concurrency fetches; min = max switches Crawlee's autoscaling off (the pool
    // never goes below minConcurrency whatever the CPU/memory snapshots say).
    minConcurrency: concurrency,
    maxConcurrency: concurrency,
    autoscaledPoolOptions: { desiredConcurrency: concurrency },
    // kscrape has no sessions/proxy rotation and no per-domain delay in this run (--host-delay 0).
    useSessionPool: false,
    sameDomainDelaySecs: 0,
    // kscrape does not retry in-process (failures go to the dlq); here nothing fails anyway.
    maxRequestRetries: 0,
    respectRobotsTxtFile: false,
    statusMessageLoggingInterval: 3600,
    // got-scraping would generate browser-like headers for every request; kscrape sends fixed headers.
    preNavigationHooks: [(_ctx, gotOptions) => { (gotOptions as Record<string, unknown>).useHeaderGenerator = false; }],
    requestHandler: async ({ body }) => {
      succeeded++;
      bytes += body.length;
    },
  }, config);
  const t0 = performance.now();
  const stats = await crawler.run();
  const crawlSeconds = (performance.now() - t0) / 1000;
  process.stdout.write(`${JSON.stringify({ crawlSeconds, succeeded, failed: stats.requestsFailed, bytes })}\n`);
}

main().then(() => process.exit(0), (err: Error) => {
  process.stderr.write(`crawlee: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
