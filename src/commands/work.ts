/** `kscrape work`: the scraper worker. Declares its options and hands the parsed settings to src/worker/run-work. */
import { Option, type Command } from 'commander';
import { consumerGroupOptions, consumerOptions, consumerSettingsFromFlags, finishConsumerSettings, type ConsumerFlags } from '../consumer-command/flags.js';
import { fetchOptions, fetcherOptionsFromFlags, type FetchFlags } from '../fetch/flags.js';
import { buildRateConfig, rateLimitOptions, type RawRateOptions } from '../ratelimit/rules.js';
import { parsePositiveInt } from '../units.js';
import { flagDefault, type WorkSettings } from '../worker/options.js';
import { crawlOptions, crawlSettingsFromFlags, type RawCrawlFlags } from '../crawl/flags.js';
import { globalContextOf } from './global-options.js';
import type { CommandRuntime } from './runtime.js';

/** The flags' text as commander hands it over; the action maps it onto WorkSettings (worker/options.ts). */
interface WorkFlags extends ConsumerFlags, FetchFlags, RawRateOptions, RawCrawlFlags {
  concurrency: string;
  perHostConcurrency: string;
  lookahead: string;
}

export function registerWorkCommand(program: Command, runtime: CommandRuntime): void {
  const cmd = program
    .command('work')
    .description('scrape: consume URLs, fetch them politely, write pages/errors/dlq/metrics, commit what is finished');
  for (const option of consumerGroupOptions('consumer group; every worker of one pipeline uses the same', flagDefault('group'))) cmd.addOption(option);
  cmd
    .addOption(new Option('--concurrency <n>', 'fetches in flight at once, over all hosts').default(flagDefault('concurrency')))
    .addOption(new Option('--per-host-concurrency <n>', 'fetches in flight at once to one host').default(flagDefault('perHostConcurrency')))
    .addOption(new Option('--lookahead <n>', 'unfinished URLs held per partition before it is paused (memory bound)').default(flagDefault('lookahead')));
  for (const option of consumerOptions({
    commitEvery: 'commit after this many finished URLs...',
    maxMessages: 'stop after consuming (and finishing) this many messages (default: no limit)',
    idleExit: 'stop when no message arrived for this long and nothing is pending (default: never)',
    shutdownTimeout: 'on SIGINT/SIGTERM, how long to let in-flight fetches finish',
    statusInterval: 'how often a status line is logged when stderr is not a terminal',
    maxRecordBytes: "largest result record; a bigger page's body is cut to fit (keep <= the pages topic's max.message.bytes)",
    deliveryBuffer: 'results awaiting the broker before fetching waits for it (memory bound with big pages or a slow broker; the producer holds a copy of each, so up to twice this)',
    eos: 'exactly-once into Kafka: results and offsets committed in one transaction (needs --worker-id, stable across restarts)',
    txnMaxMessages: 'with --eos: URLs per transaction at most',
  })) cmd.addOption(option);
  for (const option of [...rateLimitOptions(), ...fetchOptions(), ...crawlOptions()]) cmd.addOption(option);
  cmd.addHelpText('after', `
Every URL consumed ends in exactly one of pages (2xx), errors (4xx but 429, robots, refused address, redirect
trouble, malformed message) or dlq (429, 5xx, timeouts, connection errors), plus one metrics record; offsets
are committed only below what is finished. SIGINT/SIGTERM stop gracefully; a second one exits at once
(uncommitted work is redelivered). SIGUSR2 replaces the Kafka consumer without losing anything.

--follow without --redis: discovered URLs are deduplicated by this process only (run one worker), and seeds are
known only once fetched, so a seed that a page links to before the seed itself was fetched is queued and fetched
a second time. With --redis, produce --crawl claims the seeds as it produces them and no page queues them again.

Examples:
  kscrape work --group scrapers --concurrency 128 --metrics-port 9464
  kscrape work --redis redis://127.0.0.1:6379 --host-delay 2s --host-rate example.com=4/s
  kscrape work --max-messages 10000 --idle-exit 30s --json     # a batch run; summary as JSON on stdout
  kscrape work --resolve shop.test:80:127.0.1.5 --allow-cidr 127.0.1.0/24   # a local test site
  kscrape work --eos --worker-id scraper-7       # readers use isolation.level=read_committed
  kscrape work --follow --redis redis://127.0.0.1:6379 --max-depth 5 --exclude '/cart/'   # crawl from the seeds
  kscrape work --follow --scope domain --max-pages-per-host 10000 --refetch-after 24h --redis redis://127.0.0.1:6379`)
    .action(async (flags: WorkFlags, command: Command) => {
      const ctx = globalContextOf(command);
      const settings: WorkSettings = {
        concurrency: parsePositiveInt(flags.concurrency, '--concurrency'),
        perHostConcurrency: parsePositiveInt(flags.perHostConcurrency, '--per-host-concurrency'),
        lookahead: parsePositiveInt(flags.lookahead, '--lookahead'),
        ...consumerSettingsFromFlags(flags),
        rate: buildRateConfig(flags),
        redisRequired: Boolean(flags.redisRequired),
        fetcher: fetcherOptionsFromFlags(flags),
        follow: crawlSettingsFromFlags(flags, (name) => command.getOptionValueSource(name) === 'cli'),
      };
      finishConsumerSettings(settings, flags);
      // Loaded here, not at start-up: the worker pulls in got, ioredis and prom-client.
      const { runWork } = await import('../worker/run-work.js');
      await runWork(ctx, settings, runtime);
    });
}
