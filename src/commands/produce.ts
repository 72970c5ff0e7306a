/** `kscrape produce`: feed URLs from files or stdin into the urls topic, every line accounted for. */
import { Option, type Command } from 'commander';
import { bulkProducerConfig, describeRoleDefaults } from '../kafka/client-configs.js';
import { INPUT_FORMATS, type InputFormat } from '../produce/input-line.js';
import { PRODUCE_DEFAULTS as D } from '../produce/produce-defaults.js';
import { deliveryFromFlags, deliveryOptions, type RawDeliveryFlags } from '../produce/produce-flags.js';
import { durationText, parseDuration, parsePositiveInt } from '../units.js';
import { UserError } from '../errors.js';
import { globalContextOf } from './global-options.js';
import type { CommandRuntime } from './runtime.js';

interface RawProduceOptions extends RawDeliveryFlags {
  format: InputFormat;
  rejects?: string;
  maxUrlLength: string;
  timeout: string;
  crawl?: string;
  quiet?: boolean;
}

/** The producer settings paragraph of --help, from the role defaults, wrapped like the rest of the text. */
function producerSettingsHelp(): string {
  const words = `Producer settings (override any with -X): ${describeRoleDefaults('producer')} (librdkafka's defaults otherwise, as kcat -P uses them).`.split(' ');
  const lines = [''];
  for (const word of words) {
    const last = lines.length - 1;
    if (lines[last] && lines[last].length + 1 + word.length > 115) lines.push(word);
    else lines[last] = lines[last] ? `${lines[last]} ${word}` : word;
  }
  return lines.join('\n');
}

export function registerProduceCommand(program: Command, runtime: CommandRuntime): void {
  const produce = program
    .command('produce')
    .description('validate URLs from files or stdin and produce them to the urls topic; every line ends delivered, rejected or in a fallback file')
    .argument('[inputs...]', 'files to read, one URL or JSON object per line; - or nothing reads stdin')
    .addOption(new Option('--format <format>', 'input format: a URL per line, a JSON object per line, or auto (per line: JSON when it starts with {)').choices(INPUT_FORMATS).default(D.format))
    .option('--rejects <file>', 'append refused lines with their reason to this JSON-lines file (default: only counted)')
    .option('--max-url-length <n>', 'longer URLs are rejected (too-long)', String(D.maxUrlLength))
    .option('--timeout <duration>', 'how long to wait for Kafka (and Redis) to answer at start', durationText(D.timeoutMs))
    .option('--crawl <id>', 'the URLs are seeds of crawl <id> (crawl_id, depth 0) for kscrape work --follow; with --redis they are marked discovered, so no page brings them back (default: plain URLs, no crawl)');
  for (const option of deliveryOptions()) produce.addOption(option);
  produce
    .addHelpText('after', `
${producerSettingsHelp()}
URLs are produced in transactions (a transactional.id per run): a URL is delivered when its transaction
commits; a failed or timed-out transaction is aborted and all its URLs go to the fallback file, so replaying
that file never duplicates a URL for read_committed readers (kscrape work). Exit 0 only when every valid URL
was delivered.

Examples:
  cat urls.txt | kscrape produce
  kscrape produce seeds.txt more.txt --rejects rejects.jsonl --customer acme --priority 5
  kscrape sitemap https://example.com/ | kscrape produce -
  kscrape produce --format jsonl tasks.jsonl --dedupe 12h --redis redis://127.0.0.1:6379
  kscrape produce urls.txt.fallback-20261125T101500Z-4242.jsonl     # replay what was not delivered
  kscrape produce urls.txt --partitioner fair --redis redis://127.0.0.1:6379 -X linger.ms=50 --json
  echo https://example.com/ | kscrape produce --crawl shop1 --redis redis://127.0.0.1:6379   # seeds of a crawl`)
    .action(async (inputs: string[], raw: RawProduceOptions, cmd: Command) => {
      const ctx = globalContextOf(cmd);
      const delivery = deliveryFromFlags(raw);
      // Loaded when the command runs: start-up and --help do not pay for the Kafka client (see src/cli.ts).
      const [{ produceReport }, { runProduce }] = await Promise.all([import('../produce/report.js'), import('../produce/run-produce.js')]);
      const result = await runProduce({
        inputs,
        format: raw.format,
        customerId: delivery.customerId,
        priority: delivery.priority,
        maxUrlLength: parsePositiveInt(raw.maxUrlLength, '--max-url-length'),
        topic: ctx.topic(delivery.topicName),
        rejectsFile: raw.rejects,
        fallbackFile: delivery.fallbackFile,
        dedupeTtlMs: delivery.dedupeTtlMs,
        partitioner: delivery.partitioner,
        fairThreshold: delivery.fairThreshold,
        fairBands: delivery.fairBands,
        maxInFlight: delivery.maxInFlight,
        transactionMaxUrls: delivery.transactionMaxUrls,
        transactionIntervalMs: delivery.transactionIntervalMs,
        timeoutMs: parseDuration(raw.timeout, '--timeout'),
        crawlId: crawlIdOf(raw.crawl),
      }, {
        producerConfig: bulkProducerConfig(ctx, delivery.flushTimeoutMs),
        adminConfig: ctx.kafkaConfig('admin'),
        logger: ctx.logger,
        redisUrl: ctx.redisUrl,
        topicPrefix: ctx.topicPrefix,
        stdin: process.stdin,
        progressStream: process.stderr,
        showProgress: !ctx.json && ctx.logger.level !== 'quiet',
        handleSignals: true,
      });
      const report = produceReport(result, { json: ctx.json, dedupe: delivery.dedupeTtlMs !== undefined, quiet: ctx.logger.level === 'quiet' });
      if (report.stdout) runtime.stdout.write(report.stdout);
      if (report.stderr) process.stderr.write(report.stderr);
      runtime.setExitCode(report.exitCode);
    });
}

/** A crawl id names Redis keys and is typed again in `crawl stats`/`crawl stop`: short and plain. */
function crawlIdOf(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(raw)) throw new UserError(`--crawl: '${raw}' must be 1-64 letters, digits, '.', '_' or '-'`, 'usage.bad-crawl-id');
  return raw;
}
