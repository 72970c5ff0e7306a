/** `kscrape sitemap`: read sitemaps and emit their page URLs (stdout, or --produce into the urls topic). */
import { Option, type Command } from 'commander';
import { UserError } from '../errors.js';
import { fetchOptions, fetcherOptionsFromFlags, type FetchFlags } from '../fetch/flags.js';
import { bulkProducerConfig } from '../kafka/client-configs.js';
import { PRODUCE_DEFAULTS } from '../produce/produce-defaults.js';
import { deliveryFromFlags, deliveryOptions, type RawDeliveryFlags } from '../produce/produce-flags.js';
import { buildRateConfig, rateLimitOptions, type RawRateOptions } from '../ratelimit/rules.js';
import { DEFAULT_MAX_URL_LENGTH } from '../records/index.js';
import { classifyTarget, compilePatterns, parseSince } from '../sitemap/filters.js';
import { SITEMAP_DEFAULTS as D, SITEMAP_FORMATS, type SitemapFormat, type SitemapSettings } from '../sitemap/options.js';
import { parsePositiveInt, parseSize } from '../units.js';
import { globalContextOf } from './global-options.js';
import type { CommandRuntime } from './runtime.js';

interface SitemapFlags extends FetchFlags, RawRateOptions, RawDeliveryFlags {
  format: SitemapFormat;
  since?: string;
  include?: string[];
  exclude?: string[];
  maxFileBytes: string;
  maxFileUrls: string;
  maxUrls: string;
  maxSitemaps: string;
  maxDepth: string;
  maxUrlLength: string;
  produce?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
/** Flags that do not apply: sitemap bodies are streamed (capped by --max-file-bytes) whatever their type; sitemaps have no customer. */
const NOT_FOR_SITEMAPS = new Set(['--max-page-bytes', '--accept', '--customer-rate']);

export function registerSitemapCommand(program: Command, runtime: CommandRuntime): void {
  const cmd = program
    .command('sitemap')
    .description('read sitemaps (urlset, sitemapindex, gzip, text) and emit their page URLs, politely, as work fetches')
    .argument('<targets...>', 'sitemap URLs, or site roots (http://shop.test/): their robots.txt Sitemap: lines, else /sitemap.xml')
    .addOption(new Option('--format <format>', 'url: one URL per line; jsonl: {url, lastmod, changefreq, priority, sitemap} per line').choices(SITEMAP_FORMATS).default('url'))
    .addOption(new Option('--since <date|duration>', 'skip URLs whose lastmod is older (2026-11-01, or 7d back from now); older index children are not fetched (default: no limit)'))
    .addOption(new Option('--include <regex>', 'emit only URLs matching one of these; repeatable (default: all)').argParser(collect))
    .addOption(new Option('--exclude <regex>', 'emit no URL matching one of these; repeatable (default: none)').argParser(collect))
    .addOption(new Option('--max-file-bytes <size>', 'bytes read from one sitemap after decompression (a gzip bomb stops here)').default('50MiB'))
    .addOption(new Option('--max-file-urls <n>', 'entries read from one sitemap; the rest is skipped').default(String(D.maxFileUrls)))
    .addOption(new Option('--max-urls <n>', 'URLs emitted in the whole run; the walk stops there').default(String(D.maxUrls)))
    .addOption(new Option('--max-sitemaps <n>', 'sitemap files fetched in the whole run').default(String(D.maxSitemaps)))
    .addOption(new Option('--max-depth <n>', 'index nesting followed (the given sitemaps are depth 0)').default(String(D.maxDepth)))
    .addOption(new Option('--max-url-length <n>', 'longer URLs are skipped (invalid-url), as produce refuses them').default(String(DEFAULT_MAX_URL_LENGTH)))
    .addOption(new Option('--produce', 'deliver the URLs to the urls topic with produce\'s partitioner, dedupe and fallback file instead of printing them').default(false));
  // Filtered from both lists: the rate flags include --customer-rate, the fetch flags the page-body ones.
  const applies = (o: Option) => !NOT_FOR_SITEMAPS.has(o.long ?? '');
  for (const option of [...rateLimitOptions().filter(applies), ...fetchOptions().filter(applies), ...deliveryOptions()]) cmd.addOption(option);
  cmd.addHelpText('after', `
Every sitemap fetch passes the address guard, robots.txt and the per-host limiter (--host-delay, --redis) as
kscrape work's fetches do. A URL on another host than its sitemap is skipped (cross-host) unless robots.txt
listed that sitemap. A sitemap that cannot be fetched or parsed is reported and skipped; the summary (stderr,
or --json) counts URLs, sitemaps and what was skipped by reason. The delivery flags (--topic ... --flush-timeout)
apply with --produce. --json writes the summary as one JSON object: on stdout with --produce, else on stderr
(stdout carries the URLs). Exit 1 when a given sitemap (or a given site's) could not be read.

Examples:
  kscrape sitemap http://shop.test/ --allow-private | kscrape produce -
  kscrape sitemap https://example.com/sitemap_index.xml --since 7d --include '/products/' --format jsonl
  kscrape sitemap https://example.com/ --produce --dedupe 24h --redis redis://127.0.0.1:6379 --host-delay 2s
  kscrape sitemap https://example.com/sitemap.xml.gz --max-file-bytes 10MiB --json 2> summary.json > urls.txt`)
    .action(async (targets: string[], flags: SitemapFlags, command: Command) => {
      const ctx = globalContextOf(command);
      const settings: SitemapSettings = {
        maxFileBytes: parseSize(flags.maxFileBytes, '--max-file-bytes'),
        maxFileUrls: parsePositiveInt(flags.maxFileUrls, '--max-file-urls'),
        maxUrls: parsePositiveInt(flags.maxUrls, '--max-urls'),
        maxSitemaps: parsePositiveInt(flags.maxSitemaps, '--max-sitemaps'),
        maxDepth: flags.maxDepth === '0' ? 0 : parsePositiveInt(flags.maxDepth, '--max-depth'),
        sinceMs: flags.since === undefined ? undefined : parseSince(flags.since, Date.now()),
        include: compilePatterns(flags.include ?? [], '--include'),
        exclude: compilePatterns(flags.exclude ?? [], '--exclude'),
        maxUrlLength: parsePositiveInt(flags.maxUrlLength, '--max-url-length'),
      };
      const delivery = deliveryFromFlags(flags);
      if (flags.produce && flags.format !== 'url') throw new UserError('--format jsonl writes to stdout; with --produce the URLs go to Kafka as envelopes (drop one of them)', 'usage.sitemap-format');
      const quiet = ctx.logger.level === 'quiet';
      // Loaded here, not at start-up: the walk pulls in got, ioredis and (with --produce) the Kafka client.
      for (const t of targets) classifyTarget(t);
      // One at a time: Jest's ESM loader fails on concurrent imports of shared modules (see src/cli.ts).
      const { runSitemap } = await import('../sitemap/run-sitemap.js');
      const { sitemapReport } = await import('../sitemap/report.js');
      const result = await runSitemap({
        targets, settings, format: flags.format, fetcher: fetcherOptionsFromFlags(flags), rate: buildRateConfig(flags),
        redisRequired: Boolean(flags.redisRequired),
        ...(flags.produce ? {
          produce: {
            options: {
              ...delivery, topic: ctx.topic(delivery.topicName), maxUrlLength: settings.maxUrlLength, timeoutMs: PRODUCE_DEFAULTS.timeoutMs,
            },
            env: {
              producerConfig: bulkProducerConfig(ctx, delivery.flushTimeoutMs), adminConfig: ctx.kafkaConfig('admin'), logger: ctx.logger,
              redisUrl: ctx.redisUrl, topicPrefix: ctx.topicPrefix, progressStream: process.stderr, showProgress: false, handleSignals: true,
            },
          },
        } : {}),
      }, { stdout: runtime.stdout, logger: ctx.logger, redisUrl: ctx.redisUrl, topicPrefix: ctx.topicPrefix, handleSignals: true });
      const report = sitemapReport(result, { json: ctx.json, dedupe: delivery.dedupeTtlMs !== undefined, quiet });
      // Without --produce stdout carries the URLs, so the --json summary goes to stderr, after them.
      if (report.stdout) (flags.produce ? runtime.stdout : process.stderr).write(report.stdout);
      if (report.stderr) process.stderr.write(report.stderr);
      runtime.setExitCode(report.exitCode);
    });
}
