/**
 * `kscrape extract`: the extraction consumer (pages → extractions), and `extract test` for writing rules.
 * Declares the options and hands the parsed settings to src/extract/.
 */
import { Option, type Command } from 'commander';
import { UserError } from '../errors.js';
import { fetchOptions, fetcherOptionsFromFlags, type FetchFlags } from '../fetch/flags.js';
import { EXTRACT_DEFAULTS, flagDefault, type ExtractSettings } from '../extract/options.js';
import { RECORD_FORMS, type RecordForm } from '../extract/outcomes.js';
import { parseDuration, parsePositiveInt, parseSize } from '../units.js';
import { globalContextOf } from './global-options.js';
import type { CommandRuntime } from './runtime.js';

interface ExtractFlags {
  group: string;
  workerId?: string;
  rules?: string;
  module?: string;
  moduleTimeout: string;
  records: RecordForm;
  concurrency: string;
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

interface ExtractTestFlags extends FetchFlags {
  rules?: string;
  module?: string;
  moduleTimeout: string;
  url?: string;
}

const rulesOption = () => new Option('--rules <file>', 'rules file (YAML or JSON): rule sets by host/URL, fields by CSS selector, item lists (default: built-in extraction only)');
const moduleOption = () => new Option('--module <file>', 'your own extraction code: an ES module exporting a function (page, { document, select, ... }) → items (default: none)');
const moduleTimeoutOption = () => new Option('--module-timeout <duration>', 'longest a --module may take for one page; then the page goes to errors (extract-failed)').default(flagDefault('moduleTimeoutMs'));

export function registerExtractCommand(program: Command, runtime: CommandRuntime): void {
  const cmd = program
    .command('extract')
    .description('extract structured data: consume pages, write one extractions record per page (or errors), commit what is finished')
    .addOption(new Option('--group <id>', 'consumer group on the pages topic; every extractor of one pipeline uses the same').default(flagDefault('group')))
    .addOption(new Option('--worker-id <id>', 'name written into every record (default: <hostname>-<pid>)'))
    .addOption(rulesOption())
    .addOption(moduleOption())
    .addOption(moduleTimeoutOption())
    .addOption(new Option('--records <form>', "'page': one extractions record per page, items in it; 'item': one per item of a list page (key: the item's URL), pages without items as 'page'").choices(RECORD_FORMS).default(flagDefault('records')))
    .addOption(new Option('--concurrency <n>', 'pages extracted at once (matters with an async --module)').default(flagDefault('concurrency')))
    .addOption(new Option('--lookahead <n>', 'unfinished pages held per partition before it is paused (memory bound)').default(flagDefault('lookahead')))
    .addOption(new Option('--commit-every <n>', 'commit after this many finished pages...').default(flagDefault('commitEveryMessages')))
    .addOption(new Option('--commit-interval <duration>', '...or after this long, whichever comes first').default(flagDefault('commitIntervalMs')))
    .addOption(new Option('--max-messages <n>', 'stop after consuming (and finishing) this many pages (default: no limit)'))
    .addOption(new Option('--idle-exit <duration>', 'stop when no page arrived for this long and the group has committed everything (default: never)'))
    .addOption(new Option('--shutdown-timeout <duration>', 'on SIGINT/SIGTERM, how long to let running extractions and deliveries finish').default(flagDefault('shutdownTimeoutMs')))
    .addOption(new Option('--stall-timeout <duration>', 'restart the consumer when it delivers nothing this long while its partitions have lag').default(flagDefault('stallTimeoutMs')))
    .addOption(new Option('--group-protocol <protocol>', "'consumer' uses KIP-848 (Kafka 4 brokers); 'classic' uses cooperative-sticky").choices(['classic', 'consumer']).default(flagDefault('groupProtocol')))
    .addOption(new Option('--metrics-port <port>', 'serve Prometheus metrics on this port at /metrics (default: off)'))
    .addOption(new Option('--metrics-host <address>', 'address the metrics server listens on').default(flagDefault('metricsHost')))
    .addOption(new Option('--status-interval <duration>', 'how often a status line is logged').default(flagDefault('statusIntervalMs')))
    .addOption(new Option('--max-record-bytes <size>', 'largest extractions record (keep <= the topic\'s max.message.bytes)').default(flagDefault('maxRecordBytes')))
    .addOption(new Option('--delivery-buffer <size>', 'records awaiting the broker before extraction waits for it (memory bound)').default(flagDefault('maxPendingBytes')))
    .addOption(new Option('--eos', 'exactly-once into Kafka: extractions and pages offsets in one transaction (needs --worker-id, stable across restarts)').default(EXTRACT_DEFAULTS.eos))
    .addOption(new Option('--txn-max-messages <n>', 'with --eos: pages per transaction at most').default(flagDefault('txnMaxMessages')))
    .addOption(new Option('--txn-max-ms <duration>', 'with --eos: a transaction is committed at least this often').default(flagDefault('txnMaxMs')));
  cmd.addHelpText('after', `
Every HTML page gets built-in extraction (title, description, language, canonical URL, OpenGraph, Twitter
card, JSON-LD, microdata, headings, link counts); --rules adds fields and item lists, --module your own code.
Every page consumed ends as one extractions record (with --records item: one per item of a list page), or
one errors record (empty-body, unsupported-content, malformed, extract-failed) before its offset is committed. An invalid rules file is refused at start with its
line. SIGINT/SIGTERM stop gracefully; SIGUSR2 replaces the Kafka consumer.

Examples:
  kscrape extract --group extractors --rules shop-rules.yaml --metrics-port 9465
  kscrape extract --rules shop-rules.yaml --module ./reviews.mjs --module-timeout 2s
  kscrape extract --rules shop-rules.yaml --records item   # one record per listed product
  kscrape extract --rules shop-rules.yaml --max-messages 10000 --idle-exit 30s --json   # a batch run
  kscrape extract --eos --worker-id extractor-1 --rules shop-rules.yaml
  kscrape extract test --rules shop-rules.yaml saved-page.html --url https://shop.example/p/42`)
    .action(async (flags: ExtractFlags, command: Command) => {
      const ctx = globalContextOf(command);
      const settings: ExtractSettings = {
        group: flags.group,
        workerId: flags.workerId,
        rulesPath: flags.rules,
        modulePath: flags.module,
        moduleTimeoutMs: parseDuration(flags.moduleTimeout, '--module-timeout'),
        records: flags.records,
        concurrency: parsePositiveInt(flags.concurrency, '--concurrency'),
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
        eos: Boolean(flags.eos),
      };
      if (settings.commitIntervalMs <= 0) throw new UserError('--commit-interval must be greater than zero', 'usage.bad-duration');
      if (settings.moduleTimeoutMs <= 0) throw new UserError('--module-timeout must be greater than zero', 'usage.bad-duration');
      if (flags.eos) {
        if (!flags.workerId) throw new UserError('--eos needs --worker-id (stable across restarts: it names the transactional producer)', 'usage.eos-worker-id');
        settings.commitEveryMessages = parsePositiveInt(flags.txnMaxMessages, '--txn-max-messages');
        settings.commitIntervalMs = parseDuration(flags.txnMaxMs, '--txn-max-ms');
        if (settings.commitIntervalMs <= 0) throw new UserError('--txn-max-ms must be greater than zero', 'usage.bad-duration');
      }
      // Loaded here, not at start-up: the extractor pulls in the Kafka client and prom-client.
      const { runExtract } = await import('../extract/run-extract.js');
      await runExtract(ctx, settings, runtime);
    });

  const test = cmd.command('test')
    .description('print what built-in extraction, --rules and --module take from one page (a URL or a saved file), for writing rules')
    .argument('<url-or-file>', 'an http(s) URL (fetched as work fetches it) or a saved page (.html, .json)')
    .addOption(rulesOption())
    .addOption(moduleOption())
    .addOption(moduleTimeoutOption())
    .addOption(new Option('--url <url>', 'for a file: the URL it was saved from (rule sets match it; relative links resolve against it) (default: its file:// URL)'));
  for (const option of fetchOptions()) test.addOption(option);
  test.addHelpText('after', `
Prints the extractions record (or the errors record) as JSON on stdout; exit 1 when the page would go to errors.

Examples:
  kscrape extract test --rules shop-rules.yaml https://shop.example/p/42
  kscrape extract test --rules shop-rules.yaml saved-page.html --url https://shop.example/p/42
  kscrape extract test --module ./reviews.mjs http://shop.test/p/1 --resolve shop.test:80:127.0.1.5 --allow-cidr 127.0.1.0/24`)
    .action(async (target: string, _local: ExtractTestFlags, command: Command) => {
      // --rules/--module/--module-timeout are extract's options too; commander may hand them to the parent.
      const flags = command.optsWithGlobals<ExtractTestFlags>();
      if (flags.url !== undefined && !/^https?:\/\/[^/]/i.test(flags.url)) throw new UserError(`--url: '${flags.url}' is not an http(s) URL`, 'usage.bad-url');
      const { runExtractTest } = await import('../extract/test-page.js');
      await runExtractTest({
        target, pageUrl: flags.url, rulesPath: flags.rules, modulePath: flags.module,
        moduleTimeoutMs: parseDuration(flags.moduleTimeout, '--module-timeout'), fetcher: fetcherOptionsFromFlags(flags),
      }, runtime);
    });
}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UserError(`--metrics-port: '${text}' is not a port number`, 'usage.bad-port');
  return n;
}
