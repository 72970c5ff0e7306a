/**
 * `kscrape sitemap`: the walk (walker.ts) wired to the same fetcher, address guard, robots.txt rules and per-host
 * limiter as `kscrape work`, writing URLs to stdout or, with --produce, into produce's own pipeline (partitioner,
 * envelope, dedupe, delivery accounting, fallback file) through a pipe, as `kscrape sitemap | kscrape produce -`
 * would, but in one process.
 */
import { PassThrough } from 'node:stream';
import { createFetcher, type FetcherOptions } from '../fetch/index.js';
import type { Logger } from '../log.js';
import { createLimiter } from '../ratelimit/create-limiter.js';
import { rulesFor, type RateConfig } from '../ratelimit/rules.js';
import { politenessHostOf, type UrlEnvelope } from '../records/index.js';
import { PolitenessGate } from '../politeness/gate.js';
import type { ProduceEnvironment, ProduceOptions, ProduceResult } from '../produce/run-produce.js';
import type { SitemapFormat, SitemapSettings } from './options.js';
import { formatEntry, lineWriter } from './output.js';
import { SitemapStats } from './stats.js';
import { walkSitemaps, type WalkDeps } from './walker.js';

export interface SitemapRunOptions {
  targets: string[];
  settings: SitemapSettings;
  format: SitemapFormat;
  fetcher: Partial<FetcherOptions>;
  rate: RateConfig;
  redisRequired: boolean;
  /** Set: deliver the URLs to Kafka instead of printing them (inputs and format are the walk's). */
  produce?: { options: Omit<ProduceOptions, 'inputs' | 'format' | 'rejectsFile'>; env: Omit<ProduceEnvironment, 'stdin'> };
}

export interface SitemapEnvironment {
  stdout: NodeJS.WritableStream;
  logger: Logger;
  redisUrl: string | undefined;
  topicPrefix: string;
  /** SIGINT/SIGTERM end the walk early (with a summary) instead of the process. */
  handleSignals: boolean;
}

export interface SitemapRunResult {
  stats: SitemapStats;
  produce?: ProduceResult;
}

/** The gate's rules depend only on the host here: sitemaps have no customer. */
const NO_ENVELOPE: UrlEnvelope = { url: '', host: '', customer_id: '', priority: 0, discovered_at: 0, attempt: 0 };

export async function runSitemap(opts: SitemapRunOptions, env: SitemapEnvironment): Promise<SitemapRunResult> {
  const stats = new SitemapStats();
  const abort = new AbortController();
  const limiter = await createLimiter({ redisUrl: env.redisUrl, prefix: env.topicPrefix, required: opts.redisRequired, liveWorkers: () => 1, logger: env.logger });
  const fetcher = createFetcher(opts.fetcher);
  const gate = new PolitenessGate({ limiter, rulesFor: (_envelope, host) => rulesFor(opts.rate, host), crawlDelayMs: (host) => fetcher.crawlDelayMs(host) });
  const admit = async (url: URL, signal: AbortSignal) => {
    const hooks = gate.hooks(NO_ENVELOPE, signal);
    await hooks.beforeRequest?.(url);
    return hooks;
  };

  let producing: Promise<ProduceResult> | undefined;
  let out: NodeJS.WritableStream = env.stdout;
  if (opts.produce) {
    const pipe = new PassThrough();
    out = pipe;
    const { runProduce } = await import('../produce/run-produce.js');
    producing = runProduce({ ...opts.produce.options, inputs: ['-'], format: 'text', rejectsFile: undefined }, { ...opts.produce.env, stdin: pipe });
    // produce failing to start, or stopping on SIGINT/SIGTERM (it destroys its input), ends the walk.
    producing.catch(() => undefined).finally(() => abort.abort());
    pipe.once('close', () => abort.abort());
  }
  const writer = lineWriter(out, abort.signal, (ms) => env.logger.warn(`output not read for ${Math.round(ms / 1000)}s; the walk waits for its reader`));
  // Without --produce the signals are ours (with it, produce stops reading and that ends the walk): stop after
  // the sitemap being read, print the summary.
  const onSignal = (signal: NodeJS.Signals) => {
    env.logger.debug(`${signal}: stop after the current sitemap entry`);
    stats.stoppedBy ??= signal;
    abort.abort();
  };
  if (!opts.produce && env.handleSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  // A host that answers a sitemap with 429/503 and Retry-After gets nothing from us before then, as with work.
  const politeFetcher: WalkDeps['fetcher'] = {
    fetchStream: async (url, read, o) => {
      const result = await fetcher.fetchStream(url, read, o);
      await gate.honourRetryAfter(politenessHostOf(new URL(result.finalUrl)), result);
      return result;
    },
    robotsSitemaps: (origin, o) => fetcher.robotsSitemaps(origin, o),
  };
  try {
    await walkSitemaps(opts.targets, opts.settings, {
      fetcher: politeFetcher, admit, stats, logger: env.logger, signal: abort.signal,
      emit: (entry) => writer.write(formatEntry(entry, opts.produce ? 'url' : opts.format)),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    fetcher.close();
    await limiter.close();
    if (opts.produce) out.end();
  }
  return { stats, ...(producing ? { produce: await producing } : {}) };
}
