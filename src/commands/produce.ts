/** `kscrape produce`: feed URLs from files or stdin into the urls topic, every line accounted for. */
import { Option, type Command } from 'commander';
import { UserError } from '../errors.js';
import { DELIVERY_TIMEOUT_MS, bulkProducerConfig, describeRoleDefaults } from '../kafka/client-configs.js';
import { PARTITIONERS, type PartitionerName } from '../partition/partitioner.js';
import { INPUT_FORMATS, type InputFormat } from '../produce/input-line.js';
import { PRODUCE_DEFAULTS as D } from '../produce/produce-defaults.js';
import { durationText, parseDuration, parsePositiveInt } from '../units.js';
import { globalContextOf } from './global-options.js';
import type { CommandRuntime } from './runtime.js';

interface RawProduceOptions {
  topic: string;
  format: InputFormat;
  customer: string;
  priority: string;
  rejects?: string;
  fallback?: string;
  dedupe?: string | boolean;
  partitioner: PartitionerName;
  fairThreshold: string;
  fairBands: string;
  maxUrlLength: string;
  maxInFlight: string;
  txnMaxMessages: string;
  txnMaxMs: string;
  flushTimeout?: string;
  timeout: string;
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
  program
    .command('produce')
    .description('validate URLs from files or stdin and produce them to the urls topic; every line ends delivered, rejected or in a fallback file')
    .argument('[inputs...]', 'files to read, one URL or JSON object per line; - or nothing reads stdin')
    .option('--topic <name>', 'topic to produce to, under --topic-prefix', D.topic)
    .addOption(new Option('--format <format>', 'input format: a URL per line, a JSON object per line, or auto (per line: JSON when it starts with {)').choices(INPUT_FORMATS).default(D.format))
    .option('--customer <id>', 'customer_id for lines that do not give one', D.customerId)
    .option('--priority <n>', 'priority for lines that do not give one', String(D.priority))
    .option('--rejects <file>', 'append refused lines with their reason to this JSON-lines file (default: only counted)')
    .option('--fallback <file>', 'append undelivered URLs to this JSON-lines file (default: <first input>.fallback-<time>-<pid>.jsonl next to it, or in the working folder for stdin); replay it with kscrape produce <file>')
    .option('--dedupe [ttl]', `skip URLs produced to this topic within ttl, shared through Redis (needs --redis; ttl default ${durationText(D.dedupeTtlMs)}; write --dedupe=12h, or put the input files first)`)
    .addOption(new Option('--partitioner <name>', 'host: one partition per host; fair: spread hosts deeper than --fair-threshold over --fair-bands partitions; random; customer').choices(PARTITIONERS).default(D.partitioner))
    .option('--fair-threshold <n>', 'fair: queued URLs above which a host is spread', String(D.fairThreshold))
    .option('--fair-bands <n>', 'fair: partitions a deep host is spread over', String(D.fairBands))
    .option('--max-url-length <n>', 'longer URLs are rejected (too-long)', String(D.maxUrlLength))
    .option('--max-in-flight <n>', 'messages awaiting delivery at most (bounds memory; sets queue.buffering.max.messages)', String(D.maxInFlight))
    .option('--txn-max-messages <n>', 'URLs per transaction at most: a URL counts as delivered when its transaction commits (bounds the URLs held in memory)', String(D.transactionMaxUrls))
    .option('--txn-max-ms <duration>', 'a transaction is committed at the latest this long after its first URL', durationText(D.transactionIntervalMs))
    .option('--flush-timeout <duration>', `how long a URL may wait for delivery before its transaction is aborted into the fallback file; the end of a run or SIGINT/SIGTERM waits at most this long (+ request.timeout.ms) for the last commit (sets delivery.timeout.ms; default: its value, ${durationText(DELIVERY_TIMEOUT_MS)} unless -X sets it)`)
    .option('--timeout <duration>', 'how long to wait for Kafka (and Redis) to answer at start', durationText(D.timeoutMs))
    .addHelpText('after', `
${producerSettingsHelp()}
URLs are produced in transactions (a transactional.id per run): a URL is delivered when its transaction
commits; a failed or timed-out transaction is aborted and all its URLs go to the fallback file, so replaying
that file never duplicates a URL for read_committed readers (kscrape work). Exit 0 only when every valid URL
was delivered.

Examples:
  cat urls.txt | kscrape produce
  kscrape produce seeds.txt more.txt --rejects rejects.jsonl --customer acme --priority 5
  curl -s https://example.com/sitemap.xml | grep -o '<loc>[^<]*' | cut -c6- | kscrape produce -
  kscrape produce --format jsonl tasks.jsonl --dedupe 12h --redis redis://127.0.0.1:6379
  kscrape produce urls.txt.fallback-20261125T101500Z-4242.jsonl     # replay what was not delivered
  kscrape produce urls.txt --partitioner fair --redis redis://127.0.0.1:6379 -X linger.ms=50 --json`)
    .action(async (inputs: string[], raw: RawProduceOptions, cmd: Command) => {
      const ctx = globalContextOf(cmd);
      const priority = Number(raw.priority);
      if (!Number.isSafeInteger(priority)) throw new UserError(`--priority: '${raw.priority}' must be a whole number`, 'usage.bad-number');
      const dedupeTtlMs = raw.dedupe === undefined ? undefined
        : typeof raw.dedupe === 'string' ? parseDuration(raw.dedupe, '--dedupe') : D.dedupeTtlMs;
      const transactionIntervalMs = parseDuration(raw.txnMaxMs, '--txn-max-ms');
      if (transactionIntervalMs <= 0) throw new UserError('--txn-max-ms must be greater than zero', 'usage.bad-duration');
      if (raw.customer === '') throw new UserError('--customer must not be empty', 'usage.bad-customer');
      // Loaded when the command runs: start-up and --help do not pay for the Kafka client (see src/cli.ts).
      const [{ produceReport }, { runProduce }] = await Promise.all([import('../produce/report.js'), import('../produce/run-produce.js')]);
      const result = await runProduce({
        inputs,
        format: raw.format,
        customerId: raw.customer,
        priority,
        maxUrlLength: parsePositiveInt(raw.maxUrlLength, '--max-url-length'),
        topic: ctx.topic(raw.topic),
        rejectsFile: raw.rejects,
        fallbackFile: raw.fallback,
        dedupeTtlMs,
        partitioner: raw.partitioner,
        fairThreshold: parsePositiveInt(raw.fairThreshold, '--fair-threshold'),
        fairBands: parsePositiveInt(raw.fairBands, '--fair-bands'),
        maxInFlight: parsePositiveInt(raw.maxInFlight, '--max-in-flight'),
        transactionMaxUrls: parsePositiveInt(raw.txnMaxMessages, '--txn-max-messages'),
        transactionIntervalMs,
        timeoutMs: parseDuration(raw.timeout, '--timeout'),
      }, {
        producerConfig: bulkProducerConfig(ctx, raw.flushTimeout === undefined ? undefined : parseDuration(raw.flushTimeout, '--flush-timeout')),
        adminConfig: ctx.kafkaConfig('admin'),
        logger: ctx.logger,
        redisUrl: ctx.redisUrl,
        topicPrefix: ctx.topicPrefix,
        stdin: process.stdin,
        progressStream: process.stderr,
        showProgress: !ctx.json && ctx.logger.level !== 'quiet',
        handleSignals: true,
      });
      const report = produceReport(result, { json: ctx.json, dedupe: dedupeTtlMs !== undefined, quiet: ctx.logger.level === 'quiet' });
      if (report.stdout) runtime.stdout.write(report.stdout);
      if (report.stderr) process.stderr.write(report.stderr);
      runtime.setExitCode(report.exitCode);
    });
}
