/**
 * The peer of `bench/crawl.ts`: Crawlee's CheerioCrawler crawling the generated site from its roots with
 * `enqueueLinks` (strategy same-hostname: the scope of `kscrape work --follow --scope host`), as its own process
 * (`node dist/bench/_crawl-crawlee.js <roots-file> <concurrency> <host-delay-ms> <max-depth>`), timed from spawn to
 * exit like the kscrape workers. Prints one JSON line on stdout: {crawlSeconds, succeeded, failed, enqueued, failures}.
 *
 * Made comparable to kscrape's run: the same per-host delay (`sameDomainDelaySecs`, keyed by registrable domain:
 * every bench host is a domain of its own), fixed concurrency (min = max, autoscaling off), no retries, no session
 * pool, no robots.txt, in-memory storage, no browser-like header generation; the names siteNNN.test resolve to
 * their loopback addresses through a lookup of our own (got's `dnsLookup`), never DNS.
 */
import { readFileSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import { CheerioCrawler, Configuration, log } from '@crawlee/cheerio';
import { hostAddress } from './_crawl-site.js';

/** siteNNN.test → 127.0.2.NNN; any other name is an error (the bench never asks DNS). */
const pinnedLookup: LookupFunction = (hostname, options, callback) => {
  const m = /^site(\d{3})\.test$/.exec(hostname);
  if (!m) {
    process.nextTick(() => callback(new Error(`not a bench host: ${hostname}`), options.all ? [] : '', 4));
    return;
  }
  const address = hostAddress(Number(m[1]) - 1);
  if (options.all) process.nextTick(() => (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family: 4 }]));
  else process.nextTick(() => callback(null, address, 4));
};

async function main(): Promise<void> {
  const [file, concurrencyText, delayText, depthText] = process.argv.slice(2);
  if (!file || !concurrencyText || !delayText || !depthText) throw new Error('usage: _crawl-crawlee.js <roots-file> <concurrency> <host-delay-ms> <max-depth>');
  const concurrency = Number(concurrencyText);
  const roots = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  log.setLevel(log.LEVELS.WARNING);
  const config = Configuration.getGlobalConfig();
  config.set('persistStorage', false);
  config.set('purgeOnStart', false);
  config.set('storageClientOptions', { persistStorage: false, writeMetadata: false });
  let succeeded = 0;
  let enqueued = 0;
  /** Why requests failed (message → count): a timeout under load reads differently from a wrong link. */
  const failures: Record<string, number> = {};
  const crawler = new CheerioCrawler({
    minConcurrency: concurrency,
    maxConcurrency: concurrency,
    autoscaledPoolOptions: { desiredConcurrency: concurrency },
    useSessionPool: false,
    sameDomainDelaySecs: Number(delayText) / 1000,
    maxCrawlDepth: Number(depthText),
    maxRequestRetries: 0,
    respectRobotsTxtFile: false,
    statusMessageLoggingInterval: 3600,
    preNavigationHooks: [(_ctx, gotOptions) => {
      const o = gotOptions as Record<string, unknown>;
      o.useHeaderGenerator = false;
      o.dnsLookup = pinnedLookup;
    }],
    failedRequestHandler: (_ctx, error) => {
      const reason = error.message.split('\n')[0]!.replace(/https?:\/\/\S+/g, '<url>').slice(0, 120);
      failures[reason] = (failures[reason] ?? 0) + 1;
    },
    requestHandler: async ({ enqueueLinks }) => {
      succeeded++;
      const { processedRequests } = await enqueueLinks({ strategy: 'same-hostname' });
      enqueued += processedRequests.filter((r) => !r.wasAlreadyPresent).length;
    },
  }, config);
  const t0 = performance.now();
  const stats = await crawler.run(roots);
  const crawlSeconds = (performance.now() - t0) / 1000;
  process.stdout.write(`${JSON.stringify({ crawlSeconds, succeeded, failed: stats.requestsFailed, enqueued, failures })}\n`);
}

main().then(() => process.exit(0), (err: Error) => {
  process.stderr.write(`crawlee: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
