/** `kscrape work`: the scraper worker. Declares its options and hands the parsed settings to src/worker/run-work. */
import { Option, type Command } from 'commander';
import { UserError } from '../errors.js';
import { fetchOptions, fetcherOptionsFromFlags, type FetchFlags } from '../fetch/flags.js';
import { buildRateConfig, rateLimitOptions, type RawRateOptions } from '../ratelimit/rules.js';
import { parseDuration, parsePositiveInt, parseSize } from '../units.js';
import { WORK_DEFAULTS, flagDefault, type WorkSettings } from '../worker/options.js';
import { crawlOptions, crawlSettingsFromFlags, type RawCrawlFlags } from '../crawl/flags.js';
import { globalContextOf } from './global-options.js';
import type { CommandRuntime } from './runtime.js';

/** The flags' text as commander hands it over; the action maps it onto WorkSettings (worker/options.ts). */
interface WorkFlags extends FetchFlags, RawRateOptions, RawCrawlFlags {
  group: string;
  workerId?: string;
  concurrency: string;
  perHostConcurrency: string;
  lookahead: string;
  commitEvery: string;
  commitInterval: string;
  maxMessages?: string;
  idleExit?: string;
  shutdownTimeout: string;
  stallTimeout: string;
  groupProtocol: 'classic' | 'consumer';
  metricsPort?: string;
  metricsHost: string;
  statusInterval: string;
  maxRecordBytes: string;
  deliveryBuffer: string;
  eos?: boolean;
  txnMaxMessages: string;
  txnMaxMs: string;
}

export function registerWorkCommand(program: Command, runtime: CommandRuntime): void {
  const cmd = program
    .command('work')
    .description('scrape: consume URLs, fetch them politely, write pages/errors/dlq/metrics, commit what is finished')
    .addOption(new Option('--group <id>', 'consumer group; every worker of one pipeline uses the same').default(flagDefault('group')))
    .addOption(new Option('--worker-id <id>', 'name written into every record (default: <hostname>-<pid>)'))
    .addOption(new Option('--concurrency <n>', 'fetches in flight at once, over all hosts').default(flagDefault('concurrency')))
    .addOption(new Option('--per-host-concurrency <n>', 'fetches in flight at once to one host').default(flagDefault('perHostConcurrency')))
    .addOption(new Option('--lookahead <n>', 'unfinished URLs held per partition before it is paused (memory bound)').default(flagDefault('lookahead')))
    .addOption(new Option('--commit-every <n>', 'commit after this many finished URLs...').default(flagDefault('commitEveryMessages')))
    .addOption(new Option('--commit-interval <duration>', '...or after this long, whichever comes first').default(flagDefault('commitIntervalMs')))
    .addOption(new Option('--max-messages <n>', 'stop after consuming (and finishing) this many messages (default: no limit)'))
    .addOption(new Option('--idle-exit <duration>', 'stop when no message arrived for this long and nothing is pending (default: never)'))
    .addOption(new Option('--shutdown-timeout <duration>', 'on SIGINT/SIGTERM, how long to let in-flight fetches finish').default(flagDefault('shutdownTimeoutMs')))
    .addOption(new Option('--stall-timeout <duration>', 'restart the consumer when it delivers nothing this long while its partitions have lag').default(flagDefault('stallTimeoutMs')))
    .addOption(new Option('--group-protocol <protocol>', "'consumer' uses KIP-848 (Kafka 4 brokers); 'classic' uses cooperative-sticky").choices(['classic', 'consumer']).default(flagDefault('groupProtocol')))
    .addOption(new Option('--metrics-port <port>', 'serve Prometheus metrics on this port at /metrics (default: off)'))
    .addOption(new Option('--metrics-host <address>', 'address the metrics server listens on').default(flagDefault('metricsHost')))
    .addOption(new Option('--status-interval <duration>', 'how often a status line is logged when stderr is not a terminal').default(flagDefault('statusIntervalMs')))
    .addOption(new Option('--max-record-bytes <size>', "largest result record; a bigger page's body is cut to fit (keep <= the pages topic's max.message.bytes)").default(flagDefault('maxRecordBytes')))
    .addOption(new Option('--delivery-buffer <size>', 'results awaiting the broker before fetching waits for it (memory bound with big pages or a slow broker; the producer holds a copy of each, so up to twice this)').default(flagDefault('maxPendingBytes')))
    .addOption(new Option('--eos', 'exactly-once into Kafka: results and offsets committed in one transaction (needs --worker-id, stable across restarts)').default(WORK_DEFAULTS.eos))
    .addOption(new Option('--txn-max-messages <n>', 'with --eos: URLs per transaction at most').default(flagDefault('txnMaxMessages')))
    .addOption(new Option('--txn-max-ms <duration>', 'with --eos: a transaction is committed at least this often').default(flagDefault('txnMaxMs')));
  for (const option of [...rateLimitOptions(), ...fetchOptions(), ...crawlOptions()]) cmd.addOption(option);
  cmd.addHelpText('after', `
Every URL consumed ends in exactly one of pages (2xx), errors (4xx but 429, robots, refused address, redirect
trouble, malformed message) or dlq (429, 5xx, timeouts, connection errors), plus one metrics record; offsets
are committed only below what is finished. SIGINT/SIGTERM stop gracefully; a second one exits at once
(uncommitted work is redelivered). SIGUSR2 replaces the Kafka consumer without losing anything.

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
        group: flags.group,
        workerId: flags.workerId,
        concurrency: parsePositiveInt(flags.concurrency, '--concurrency'),
        perHostConcurrency: parsePositiveInt(flags.perHostConcurrency, '--per-host-concurrency'),
        lookahead: parsePositiveInt(flags.lookahead, '--lookahead'),
        commitEveryMessages: parsePositiveInt(flags.commitEvery, '--commit-every'),
        commitIntervalMs: parseDuration(flags.commitInterval, '--commit-interval'),
        maxMessages: flags.maxMessages === undefined ? undefined : parsePositiveInt(flags.maxMessages, '--max-messages'),
        idleExitMs: flags.idleExit === undefined ? undefined : parseDuration(flags.idleExit, '--idle-exit'),
        shutdownTimeoutMs: parseDuration(flags.shutdownTimeout, '--shutdown-timeout'),
        stallTimeoutMs: parseDuration(flags.stallTimeout, '--stall-timeout'),
        groupProtocol: flags.groupProtocol,
        metricsPort: flags.metricsPort === undefined ? undefined : port(flags.metricsPort),
        metricsHost: flags.metricsHost,
        statusIntervalMs: parseDuration(flags.statusInterval, '--status-interval'),
        maxRecordBytes: parseSize(flags.maxRecordBytes, '--max-record-bytes'),
        maxPendingBytes: parseSize(flags.deliveryBuffer, '--delivery-buffer'),
        rate: buildRateConfig(flags),
        redisRequired: Boolean(flags.redisRequired),
        fetcher: fetcherOptionsFromFlags(flags),
        eos: Boolean(flags.eos),
        follow: crawlSettingsFromFlags(flags, (name) => command.getOptionValueSource(name) === 'cli'),
      };
      if (settings.commitIntervalMs <= 0) throw new UserError('--commit-interval must be greater than zero', 'usage.bad-duration');
      if (flags.eos) {
        // The transactional.id comes from the worker id: a random one would not fence a crashed predecessor.
        if (!flags.workerId) throw new UserError('--eos needs --worker-id (stable across restarts: it names the transactional producer)', 'usage.eos-worker-id');
        settings.commitEveryMessages = parsePositiveInt(flags.txnMaxMessages, '--txn-max-messages');
        settings.commitIntervalMs = parseDuration(flags.txnMaxMs, '--txn-max-ms');
        if (settings.commitIntervalMs <= 0) throw new UserError('--txn-max-ms must be greater than zero', 'usage.bad-duration');
      }
      // Loaded here, not at start-up: the worker pulls in got, ioredis and prom-client.
      const { runWork } = await import('../worker/run-work.js');
      await runWork(ctx, settings, runtime);
    });
}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UserError(`--metrics-port: '${text}' is not a port number`, 'usage.bad-port');
  return n;
}
