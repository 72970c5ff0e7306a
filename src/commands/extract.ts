/**
 * `kscrape extract`: the extraction consumer (pages → extractions), and `extract test` for writing rules.
 * Declares the options and hands the parsed settings to src/extract/.
 */
import { Option, type Command } from 'commander';
import { consumerGroupOptions, consumerOptions, consumerSettingsFromFlags, finishConsumerSettings, type ConsumerFlags } from '../consumer-command/flags.js';
import { UserError } from '../errors.js';
import { fetchOptions, fetcherOptionsFromFlags, type FetchFlags } from '../fetch/flags.js';
import { flagDefault, type ExtractSettings } from '../extract/options.js';
import { RECORD_FORMS, type RecordForm } from '../extract/outcomes.js';
import { parseDuration, parsePositiveInt } from '../units.js';
import { globalContextOf } from './global-options.js';
import type { CommandRuntime } from './runtime.js';

interface ExtractFlags extends ConsumerFlags {
  rules?: string;
  module?: string;
  moduleTimeout: string;
  records: RecordForm;
  concurrency: string;
  lookahead: string;
}

interface ExtractTestFlags extends FetchFlags {
  rules?: string;
  module?: string;
  moduleTimeout: string;
  url?: string;
}

const rulesOption = () => new Option('--rules <file>', 'rules file (YAML or JSON): rule sets by host/URL, fields by CSS selector, item lists (default: built-in extraction only)');
const moduleOption = () => new Option('--module <file>', 'your own extraction code: an ES module exporting a function (page, { document, select, ... }) → items, run in worker threads (default: none)');
const moduleTimeoutOption = () => new Option('--module-timeout <duration>', 'longest a --module may take for one page, even in a synchronous loop; then the page goes to errors (extract-failed)').default(flagDefault('moduleTimeoutMs'));

export function registerExtractCommand(program: Command, runtime: CommandRuntime): void {
  const cmd = program
    .command('extract')
    .description('extract structured data: consume pages, write one extractions record per page (or errors), commit what is finished');
  for (const option of consumerGroupOptions('consumer group on the pages topic; every extractor of one pipeline uses the same', flagDefault('group'))) cmd.addOption(option);
  cmd
    .addOption(rulesOption())
    .addOption(moduleOption())
    .addOption(moduleTimeoutOption())
    .addOption(new Option('--records <form>', "'page': one extractions record per page, items in it; 'item': one per item of a list page (key: the item's URL), pages without items as 'page'").choices(RECORD_FORMS).default(flagDefault('records')))
    .addOption(new Option('--concurrency <n>', 'pages extracted at once; with a --module, the threads it runs in (at most one per core)').default(flagDefault('concurrency')))
    .addOption(new Option('--lookahead <n>', 'unfinished pages held per partition before it is paused (memory bound)').default(flagDefault('lookahead')));
  for (const option of consumerOptions({
    commitEvery: 'commit after this many finished pages...',
    maxMessages: 'stop after consuming (and finishing) this many pages (default: no limit)',
    idleExit: 'stop when no page arrived for this long and the group has committed everything (default: never)',
    shutdownTimeout: 'on SIGINT/SIGTERM, how long to let running extractions and deliveries finish',
    statusInterval: 'how often a status line is logged',
    maxRecordBytes: 'largest extractions record (keep <= the topic\'s max.message.bytes)',
    deliveryBuffer: 'records awaiting the broker before extraction waits for it (memory bound)',
    eos: 'exactly-once into Kafka: extractions and pages offsets in one transaction (needs --worker-id, stable across restarts)',
    txnMaxMessages: 'with --eos: pages per transaction at most',
  })) cmd.addOption(option);
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
        rulesPath: flags.rules,
        modulePath: flags.module,
        moduleTimeoutMs: parseDuration(flags.moduleTimeout, '--module-timeout'),
        records: flags.records,
        concurrency: parsePositiveInt(flags.concurrency, '--concurrency'),
        lookahead: parsePositiveInt(flags.lookahead, '--lookahead'),
        ...consumerSettingsFromFlags(flags),
      };
      if (settings.moduleTimeoutMs <= 0) throw new UserError('--module-timeout must be greater than zero', 'usage.bad-duration');
      finishConsumerSettings(settings, flags);
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
