/** `kscrape partition-audit`: how evenly would (or does) the host partitioner spread this data, and what to do. */
import { Option, type Command } from 'commander';
import { TOPICS } from '../records/index.js';
import { AUDIT_DEFAULTS } from '../audit/defaults.js';
import { HOT_RATIO } from '../partition/skew.js';
import type { AuditReport } from '../audit/accumulator.js';
import { UserError } from '../errors.js';
import { parseDuration, parsePositiveInt } from '../units.js';
import { globalContextOf } from './global-options.js';
import type { CommandRuntime } from './runtime.js';

interface AuditFlags {
  partitions: string;
  sample?: string;
  since?: string;
  topic?: string;
  fairThreshold: string;
  fairBands: string;
  top: string;
  timeout: string;
}

export function registerPartitionAuditCommand(program: Command, runtime: CommandRuntime): void {
  program
    .command('partition-audit [files...]')
    .description('per-partition load of a URL list (no broker needed) or of the live urls topic: skew, hot partitions, host vs fair, a recommendation')
    .addOption(new Option('--partitions <n>', 'partition count to simulate for URL lists (a live topic uses its own)').default(String(AUDIT_DEFAULTS.partitions)))
    .addOption(new Option('--sample <n>', 'audit the live urls topic: the last n records of each partition (default: off, audit URL lists)'))
    .addOption(new Option('--since <duration>', 'audit the live urls topic: every record newer than this (30m, 6h, 1d) (default: off)'))
    .addOption(new Option('--topic <name>', 'with --sample/--since: the topic to read (default: urls under --topic-prefix)'))
    .addOption(new Option('--fair-threshold <n>', 'fair partitioner: hosts with more URLs than this get banded').default(String(AUDIT_DEFAULTS.fairThreshold)))
    .addOption(new Option('--fair-bands <n>', 'fair partitioner: partitions a banded host spreads over').default(String(AUDIT_DEFAULTS.fairBands)))
    .addOption(new Option('--top <n>', 'hosts named per hot partition').default(String(AUDIT_DEFAULTS.topHostsPerPartition)))
    .addOption(new Option('--timeout <duration>', 'with --sample/--since: stop reading after this long and report what was read').default(AUDIT_DEFAULTS.timeout))
    .addHelpText('after', `
Input: URL lists, one URL per line (files, or stdin when none or '-'; blank and '#' lines skipped), or with
--sample/--since the records of the urls topic. Memory holds counts per host, not the URLs.

Shows a bar per partition (host partitioning next to fair partitioning; for a live topic, where the records
really are next to fair), skew (max/mean), CV (std dev/mean), hot partitions (more than ${HOT_RATIO}× the mean)
with their biggest hosts, and a recommendation: which hosts to band with --partitioner fair and a suggested
--fair-threshold (half the mean partition load) and --fair-bands. The fair simulation counts a host's URLs so
far as its depth, as \`kscrape produce\` without Redis does; --json prints the whole report.

Examples:
  kscrape partition-audit urls.txt
  zcat urls-*.txt.gz | kscrape partition-audit --partitions 200 --fair-threshold 5000 --fair-bands 8
  kscrape partition-audit --sample 10000 --brokers kafka-1:9092
  kscrape --topic-prefix staging. partition-audit --since 1h --json | jq .recommendation`)
    .action(async (files: string[], flags: AuditFlags, cmd: Command) => {
      const ctx = globalContextOf(cmd);
      const fairThreshold = parseNonNegativeInt(flags.fairThreshold, '--fair-threshold');
      const fairBands = parsePositiveInt(flags.fairBands, '--fair-bands');
      const topHostsPerPartition = parsePositiveInt(flags.top, '--top');
      const live = flags.sample !== undefined || flags.since !== undefined;
      if (flags.sample !== undefined && flags.since !== undefined) throw new UserError('use either --sample or --since, not both', 'usage.conflicting-flags');
      if (live && files.length) throw new UserError('give URL files or --sample/--since (the live topic), not both', 'usage.conflicting-flags');
      if (flags.topic !== undefined && !live) throw new UserError('--topic needs --sample or --since', 'usage.conflicting-flags');

      // Loaded when the command runs: start-up and --help do not pay for the Kafka client (see src/cli.ts).
      const [{ auditLiveTopic, auditUrlFiles }, { renderAudit }] = await Promise.all([import('../audit/run-audit.js'), import('../audit/render.js')]);
      let report: AuditReport;
      if (live) {
        report = await auditLiveTopic({
          config: ctx.kafkaConfig('admin'),
          consumerConfig: ctx.kafkaConfig('consumer'),
          logger: ctx.logger,
          timeoutMs: parseDuration(flags.timeout, '--timeout'),
          topic: flags.topic ?? ctx.topic(TOPICS.urls),
          window: flags.sample !== undefined
            ? { kind: 'last', perPartition: parsePositiveInt(flags.sample, '--sample') }
            : { kind: 'since', ms: parseDuration(flags.since!, '--since') },
          fairThreshold, fairBands, topHostsPerPartition,
        });
      } else {
        const partitions = parsePositiveInt(flags.partitions, '--partitions');
        report = await auditUrlFiles(files.length ? files : ['-'], { partitions, fairThreshold, fairBands, topHostsPerPartition });
      }
      if (ctx.json) {
        runtime.stdout.write(`${JSON.stringify(report)}\n`);
        return;
      }
      const stdout = runtime.stdout as NodeJS.WriteStream;
      runtime.stdout.write(renderAudit(report, { color: Boolean(stdout.isTTY) && !process.env.NO_COLOR }));
    });
}

function parseNonNegativeInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`${flag}: '${text}' must be a whole number >= 0`, 'usage.bad-number');
  return n;
}
