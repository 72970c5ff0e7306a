/** `kscrape dlq retry` and `kscrape dlq stats`: re-emit due dead-letter records; review what is in the DLQ. */
import { hostname } from 'node:os';
import { Option, type Command } from 'commander';
import { RuntimeFailure } from '../errors.js';
import { TOPICS } from '../records/index.js';
import { PARTITIONERS, type PartitionerName } from '../partition/partitioner.js';
import { DLQ_DEFAULTS as D } from '../dlq/dlq-defaults.js';
import { BACKOFFS, type Backoff, type RetryPolicy } from '../dlq/retry-policy.js';
import { durationText, parseDuration, parsePositiveInt } from '../units.js';
import { globalContextOf } from './global-options.js';
import type { CommandRuntime } from './runtime.js';

interface PolicyFlags { cooldown: string; backoff: Backoff; maxAttempts: string }
interface RetryFlags extends PolicyFlags { group: string; partitioner: PartitionerName; once?: boolean; dryRun?: boolean; timeout: string; eos?: boolean; workerId?: string }
interface StatsFlags extends PolicyFlags { top: string; timeout: string }

function addPolicyOptions(cmd: Command): Command {
  return cmd
    .option('--cooldown <duration>', 'wait this long after a failure before retrying (the guide\'s 1 hour); a server\'s later Retry-After wins', durationText(D.policy.cooldownMs))
    .addOption(new Option('--backoff <kind>', 'fixed: every attempt waits --cooldown; exponential: doubles per attempt made').choices(BACKOFFS).default(D.policy.backoff))
    .option('--max-attempts <n>', 'park a record once this many attempts failed', String(D.policy.maxAttempts));
}

function policyOf(flags: PolicyFlags): RetryPolicy {
  return { cooldownMs: parseDuration(flags.cooldown, '--cooldown'), backoff: flags.backoff, maxAttempts: parsePositiveInt(flags.maxAttempts, '--max-attempts') };
}

export function registerDlqCommand(program: Command, runtime: CommandRuntime): void {
  const dlq = program.command('dlq').description('dead-letter queue: retry due records, review what failed')
    .addHelpText('after', `
Examples:
  kscrape dlq stats
  kscrape dlq retry --dry-run | head
  kscrape dlq retry --once --json`);
  const out = (text: string) => void runtime.stdout.write(text);
  const tty = () => Boolean((runtime.stdout as NodeJS.WriteStream).isTTY);

  addPolicyOptions(dlq.command('retry')
    .description(`re-emit due records of the ${TOPICS.dlq} topic to ${TOPICS.urls}; park those past --max-attempts in ${TOPICS.dlqParked}`)
    .option('--group <id>', 'consumer group of the retry consumer', D.retry.group)
    .addOption(new Option('--partitioner <name>', 'how re-emitted URLs are partitioned, as in kscrape produce (key = host)').choices(PARTITIONERS).default(D.retry.partitioner))
    .option('--once', 'handle what is due up to the end of the topic as seen at start, then exit (for cron)')
    .option('--dry-run', 'print what would be re-emitted, parked or waited for; send and commit nothing')
    .option('--eos', 'exactly-once: each batch\'s re-emits, parks and the dlq offset in one transaction (readers use isolation.level=read_committed)')
    .option('--worker-id <id>', 'names this run in parked records and, with --eos, its transactional.id (stable across restarts; one per concurrent run; default: dlq-retry@<hostname> in records, none in the id)')
    .option('--timeout <duration>', 'deadline for cluster requests (and for reading the topic with --dry-run)', durationText(D.retry.timeoutMs)))
    .addHelpText('after', `
A record is due when failed_at + cool-down has passed. A partition whose next record is not due is paused
until it is (with --once: left for the next run); nothing behind it is skipped or committed.
Parked records go to ${TOPICS.dlqParked} in the errors topic's shape (reason max-attempts or malformed).
Without --eos a run killed between a re-emit and its commit re-emits that record again (at least once); with
--eos it cannot: the re-emit and the commit are one transaction.

Examples:
  kscrape dlq retry --once
  kscrape dlq retry --once --eos --worker-id retry-1
  kscrape dlq retry --cooldown 30m --backoff exponential --max-attempts 6
  kscrape dlq retry --dry-run --json | jq -c 'select(.action == "re-emit")'
  # crontab: every hour, handle what is due, then exit
  0 * * * *  kscrape --brokers kafka-1:9092 dlq retry --once --quiet`)
    .action(async (flags: RetryFlags, cmd: Command) => {
      const ctx = globalContextOf(cmd);
      const policy = policyOf(flags);
      const timeoutMs = parseDuration(flags.timeout, '--timeout');
      if (flags.dryRun && flags.once) ctx.logger.debug('--dry-run already stops at the end of the topic as seen at start');
      if (flags.dryRun && flags.eos) ctx.logger.debug('--dry-run sends nothing: --eos does not apply');
      // Loaded when the command runs, so that start-up and --help do not pay for the Kafka client (see src/cli.ts).
      const [{ retryPartitioner }, { renderSummary, summaryJson }, { runRetry }, { dryRun }] = await Promise.all([
        import('../dlq/partitioning.js'), import('../dlq/render.js'), import('../dlq/retry-engine.js'), import('../dlq/run-readonly.js')]);
      const { partitioner, onReEmit } = retryPartitioner(flags.partitioner);
      const common = { adminConfig: ctx.kafkaConfig('admin'), consumerConfig: ctx.kafkaConfig('consumer'), logger: ctx.logger, policy, timeoutMs };
      if (flags.dryRun) {
        const summary = await dryRun({ ...common, topic: ctx.topic(TOPICS.dlq), group: flags.group, partitioner, urlsTopic: ctx.topic(TOPICS.urls),
          onLine: (l) => out(ctx.json ? `${JSON.stringify(l)}\n` : `${l.partition}/${l.offset}  ${l.action.padEnd(7)}  ${l.url ?? '-'}  ${l.detail}\n`) });
        out(ctx.json ? `${JSON.stringify(summaryJson(summary, true))}\n` : renderSummary(summary, true));
        return;
      }
      const summary = await runRetry({
        ...common, producerConfig: ctx.kafkaConfig('producer'), group: flags.group, partitioner, onReEmit, once: Boolean(flags.once),
        topics: { dlq: ctx.topic(TOPICS.dlq), urls: ctx.topic(TOPICS.urls), parked: ctx.topic(TOPICS.dlqParked) },
        worker: flags.workerId ?? `dlq-retry@${hostname()}`,
        ...(flags.eos ? { transactionalId: `${ctx.topicPrefix}kscrape-dlq-retry-${flags.group}${flags.workerId ? `-${flags.workerId}` : ''}` } : {}),
      });
      out(ctx.json ? `${JSON.stringify(summaryJson(summary, false))}\n` : renderSummary(summary, false));
    });

  addPolicyOptions(dlq.command('stats')
    .description(`what is in the ${TOPICS.dlq} topic: counts by error, status and host, ages, how many are due now`)
    .option('--top <n>', 'rows per table', String(D.stats.top))
    .option('--timeout <duration>', 'deadline for reading the whole topic', durationText(D.stats.timeoutMs)))
    .addHelpText('after', `
Reads without a consumer group and commits nothing. "Due now" counts records whose cool-down has passed
(under the same --cooldown/--backoff/--max-attempts as dlq retry); "to park" those at --max-attempts.

Examples:
  kscrape dlq stats
  kscrape dlq stats --json | jq '.by_host'`)
    .action(async (flags: StatsFlags, cmd: Command) => {
      const ctx = globalContextOf(cmd);
      const topN = parsePositiveInt(flags.top, '--top');
      const policy = policyOf(flags);
      const topic = ctx.topic(TOPICS.dlq);
      const now = Date.now();
      const [{ renderStats, statsJson, statsSummary }, { collectStats }] = await Promise.all([import('../dlq/render.js'), import('../dlq/run-readonly.js')]);
      const { stats, complete } = await collectStats({ adminConfig: ctx.kafkaConfig('admin'), consumerConfig: ctx.kafkaConfig('consumer'), logger: ctx.logger,
        topic, policy, timeoutMs: parseDuration(flags.timeout, '--timeout'), now: () => now });
      if (!complete && stats.total === 0) throw new RuntimeFailure(`${topic}: nothing could be read within --timeout`, 'dlq.read-timeout');
      if (ctx.json) { out(`${JSON.stringify(statsJson(stats, topic, complete))}\n`); return; }
      const color = tty() && !process.env.NO_COLOR;
      // Off a terminal stdout holds only section<TAB>key<TAB>count lines; the summary goes to stderr.
      if (!tty()) for (const line of statsSummary(stats, { color, now, topic, complete })) ctx.logger.info(line);
      out(renderStats(stats, { color, table: tty(), now, topN, topic, complete }));
    });
}
