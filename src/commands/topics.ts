/** `kscrape topics create | list | describe`: the standard topic set, and what the cluster holds. */
import { Option, type Command } from 'commander';
import { TOPICS_DEFAULTS } from '../topics/defaults.js';
import { PAGES_MAX_MESSAGE_BYTES, STANDARD_TOPICS, parsePartitionOverrides, parseRetentionOverrides } from '../topics/plan.js';
import { TOPICS, type TopicName } from '../records/index.js';
import { formatDuration, parseDuration, parsePositiveInt, parseSize } from '../units.js';
import { ExitCode } from '../errors.js';
import { globalContextOf } from './global-options.js';
import type { CommandRuntime } from './runtime.js';

// Each action imports what talks to the cluster when it runs: start-up and --help stay light (see src/cli.ts).

const collect = (value: string, previous: string[] = []) => [...previous, value];
const standardList = (Object.keys(STANDARD_TOPICS) as TopicName[])
  .map((k) => `${TOPICS[k]} ${STANDARD_TOPICS[k].partitions}/${formatDuration(STANDARD_TOPICS[k].retentionMs).replace('.0', '')}`).join(', ');
const timeoutOption = () => new Option('--timeout <duration>', 'deadline for each request to the cluster').default(TOPICS_DEFAULTS.timeout);
const isTty = (s: NodeJS.WritableStream) => Boolean((s as NodeJS.WriteStream).isTTY);

export function registerTopicsCommand(program: Command, runtime: CommandRuntime): void {
  const topics = program.command('topics').description('create the standard topic set; list and describe topics')
    .addHelpText('after', `
Examples:
  kscrape topics create --dry-run
  kscrape --topic-prefix staging. topics list
  kscrape topics describe urls dlq --json`);

  topics.command('create')
    .description(`create the standard topics (partitions/retention: ${standardList}), lz4-compressed`)
    .addOption(new Option('--partitions <topic=n>', 'partition count for one topic, repeatable (urls=200); default: the table above').argParser(collect))
    .addOption(new Option('--retention <topic=duration>', 'retention for one topic, repeatable (dlq=60d); default: the table above').argParser(collect))
    .addOption(new Option('--replication-factor <n>', `replicas per partition (default: ${TOPICS_DEFAULTS.replicationFactor}, or the broker count when smaller)`))
    .addOption(new Option('--min-insync-replicas <n>', 'min.insync.replicas of every topic: with acks=all a write needs this many in-sync copies (default: 2 from replication factor 3 up, else 1; never above the replication factor)'))
    .addOption(new Option('--pages-max-message-bytes <size>', 'max.message.bytes of the pages topic: room for the worker\'s body cap (1 MiB by default) after JSON escaping').default(TOPICS_DEFAULTS.pagesMaxMessageBytes))
    .addOption(new Option('--dry-run', 'print the plan and what differs; change nothing').default(false))
    .addOption(new Option('--fix', 'apply what Kafka allows on existing topics: add missing partitions, set retention.ms/compression.type/max.message.bytes').default(false))
    .addOption(timeoutOption())
    .addHelpText('after', `
Running it again is safe: existing topics are reported. A topic that differs (fewer partitions, another
replication factor, another retention.ms, compression.type or max.message.bytes) is shown and the exit status
is 1; --fix adds the missing partitions (Kafka cannot remove any) and sets the configs, changing only those four
configs (other configs of the topic are kept). Another replication factor is reported, never fixed.
min.insync.replicas is set on every topic (2 with 3 or more replicas): with the producer's acks=all, a write is
acknowledged only once that many brokers hold it, and fails loudly (NOT_ENOUGH_REPLICAS) when fewer are in sync.
dlq.parked holds the records \`dlq retry\` gave up on, for people to review.

Configs are the broker's effective values, read with DescribeConfigs. With settings the config reader cannot
use (sasl.mechanism GSSAPI or OAUTHBEARER, OpenSSL engines/providers, a CA directory) a warning says so, the
configs of existing topics are reported as "not verified" with the kafka-configs.sh command that shows them,
and --fix changes partitions only. pages gets max.message.bytes=${PAGES_MAX_MESSAGE_BYTES} (4 MiB) because a page record is the
capped body (1 MiB by default) JSON-escaped plus headers; if you raise the worker's body cap, raise this too
(and the producer's message.max.bytes with -X).

Examples:
  kscrape topics create --dry-run
  kscrape topics create --brokers kafka-1:9092 --partitions urls=200 --retention dlq=60d
  kscrape --topic-prefix staging. topics create --replication-factor 1 --json
  kscrape topics create --partitions urls=100 --fix
  kscrape topics create --brokers kafka-1:9092,kafka-2:9092,kafka-3:9092 --min-insync-replicas 2
  kscrape topics create --retention urls=3d --fix --dry-run     # what would change, nothing changed`)
    .action(async (opts: { partitions?: string[]; retention?: string[]; replicationFactor?: string; minInsyncReplicas?: string; pagesMaxMessageBytes: string; dryRun: boolean; fix: boolean; timeout: string }, cmd: Command) => {
      const ctx = globalContextOf(cmd);
      const plan = {
        prefix: ctx.topicPrefix,
        partitions: parsePartitionOverrides(opts.partitions ?? []),
        retentionMs: parseRetentionOverrides(opts.retention ?? []),
        pagesMaxMessageBytes: parseSize(opts.pagesMaxMessageBytes, '--pages-max-message-bytes'),
        ...(opts.replicationFactor === undefined ? {} : { replicationFactor: parsePositiveInt(opts.replicationFactor, '--replication-factor') }),
        ...(opts.minInsyncReplicas === undefined ? {} : { minInsyncReplicas: parsePositiveInt(opts.minInsyncReplicas, '--min-insync-replicas') }),
      };
      const timeoutMs = parseDuration(opts.timeout, '--timeout');
      const [{ withTopicIo }, { createStandardTopics }, { renderCreateResult }] = await Promise.all([
        import('../topics/topic-io.js'), import('../topics/create.js'), import('../topics/render.js')]);
      const result = await withTopicIo({ config: ctx.kafkaConfig('admin'), logger: ctx.logger, timeoutMs },
        (io) => createStandardTopics(io, { plan, dryRun: opts.dryRun, fix: opts.fix }));
      runtime.stdout.write(ctx.json ? `${JSON.stringify(result)}\n` : renderCreateResult(result, ctx.brokers.brokers));
      if (result.mismatches) runtime.setExitCode(ExitCode.failure);
    });

  topics.command('list')
    .description('list topics (under --topic-prefix) with partitions, replication, retention, compression, message counts, min ISR and replica health')
    .addOption(timeoutOption())
    .addHelpText('after', `
Message counts are the sum over partitions of high − low watermark. Retention and compression are the broker's
effective values; they show n/a* (with a warning) when the Kafka settings keep kscrape from reading topic
configs (sasl.mechanism GSSAPI or OAUTHBEARER, ...): kafka-configs.sh --describe shows them then.

Examples:
  kscrape topics list
  kscrape --topic-prefix staging. topics list --json | jq '.[] | {topic, messages}'`)
    .action(async (opts: { timeout: string }, cmd: Command) => {
      const ctx = globalContextOf(cmd);
      const timeoutMs = parseDuration(opts.timeout, '--timeout');
      const [{ withTopicIo }, { listTopics }, { renderTopicInfos }] = await Promise.all([
        import('../topics/topic-io.js'), import('../topics/describe.js'), import('../topics/render.js')]);
      const infos = await withTopicIo({ config: ctx.kafkaConfig('admin'), logger: ctx.logger, timeoutMs }, (io) => listTopics(io, ctx.topicPrefix));
      runtime.stdout.write(ctx.json ? `${JSON.stringify(infos)}\n` : renderTopicInfos(infos, isTty(runtime.stdout)));
    });

  topics.command('describe [names...]')
    .description('describe topics (default: the standard set under --topic-prefix): partitions, replication, retention, compression, messages, watermarks, leader/replicas/ISR per partition')
    .addOption(timeoutOption())
    .addHelpText('after', `
Standard names (urls, pages, dlq.parked, ...) get the --topic-prefix; other names are used as given.
Exit status 1 when a named topic does not exist. --json adds maxMessageBytes. Configs as for list.
Each partition shows its leader, replicas and in-sync replicas (broker ids) and is flagged OFFLINE (no leader),
UNDER-REPLICATED (a replica out of sync) or UNDER-MIN-ISR (acks=all writes fail until a replica catches up).

Examples:
  kscrape topics describe
  kscrape --topic-prefix staging. topics describe urls dlq
  kscrape topics describe urls --json | jq '.[0].offsets'
  kscrape topics describe pages --json | jq '.[0] | {retentionMs, compression, maxMessageBytes}'`)
    .action(async (names: string[], opts: { timeout: string }, cmd: Command) => {
      const ctx = globalContextOf(cmd);
      const timeoutMs = parseDuration(opts.timeout, '--timeout');
      const [{ withTopicIo }, { describeTopics }, { renderPartitionOffsets, renderTopicInfos }] = await Promise.all([
        import('../topics/topic-io.js'), import('../topics/describe.js'), import('../topics/render.js')]);
      const infos = await withTopicIo({ config: ctx.kafkaConfig('admin'), logger: ctx.logger, timeoutMs }, (io) => describeTopics(io, ctx.topicPrefix, names));
      if (ctx.json) {
        runtime.stdout.write(`${JSON.stringify(infos)}\n`);
        return;
      }
      const tty = isTty(runtime.stdout);
      runtime.stdout.write(renderTopicInfos(infos, tty));
      for (const info of infos) if (info.offsets) runtime.stdout.write(`\n${renderPartitionOffsets(info, tty)}`);
    });
}
