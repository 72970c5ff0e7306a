/**
 * `kscrape lag`: consumer lag per group, topic and partition, in messages and in time, with alerting exit codes.
 * Usage errors exit 3 (UNKNOWN) here, not 2: 2 is CRITICAL for a monitor, and a typo in a check must not page.
 */
import { CommanderError, type Command } from 'commander';
import { KscrapeError, UserError } from '../errors.js';
import { LAG_DEFAULTS } from '../lag/defaults.js';
import { LagExit, WARN_FRACTION } from '../lag/thresholds.js';
import { parseDuration, parsePositiveInt } from '../units.js';
import { globalContextOf } from './global-options.js';
import type { CommandRuntime } from './runtime.js';

interface LagFlags {
  group: string[];
  allGroups?: boolean;
  maxLag?: string;
  warnLag?: string;
  maxLagTime?: string;
  warnLagTime?: string;
  watch?: string | boolean;
  window: string;
  time: boolean;
  timeout: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** A usage error of `lag`: one line, exit 3 (UNKNOWN). */
class LagUsageError extends KscrapeError {
  constructor(message: string) {
    super(message, { code: 'usage', exitCode: LagExit.unknown });
  }
}

function nonNegativeInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`${flag}: '${text}' must be a whole number >= 0`, 'usage.bad-number');
  return n;
}

export function registerLagCommand(program: Command, runtime: CommandRuntime): void {
  const cmd = program
    .command('lag')
    .description('consumer lag per group/topic/partition, in messages and time; exit 0 OK, 1 WARN, 2 CRITICAL, 3 UNKNOWN')
    .option('-g, --group <id>', 'consumer group to report on, repeatable (default: none; this or --all-groups)', collect, [])
    .option('--all-groups', 'every consumer group of the cluster, including those with no live members', false)
    .option('--max-lag <n>', 'CRITICAL when a group\'s total lag (messages) is above n (default: no limit)')
    .option('--warn-lag <n>', `WARN when a group's total lag is above n (default: ${WARN_FRACTION * 100}% of --max-lag)`)
    .option('--max-lag-time <duration>', 'CRITICAL when a group\'s oldest unconsumed record is older (default: no limit; the guide alerts at 30m)')
    .option('--warn-lag-time <duration>', `WARN above this age (default: ${WARN_FRACTION * 100}% of --max-lag-time)`)
    .option('--watch [interval]', `redraw every interval with rates and a status per partition (default interval ${LAG_DEFAULTS.watchInterval})`)
    .option('--window <n>', 'samples per partition the --watch status looks at', String(LAG_DEFAULTS.window))
    .option('--no-time', 'skip reading the oldest unconsumed record (no lag in time; default: read it)')
    .option('--timeout <duration>', 'deadline for each cluster request and for reading timestamps', LAG_DEFAULTS.timeout)
    .addHelpText('after', `
Exit codes: 0 OK, 1 WARN, 2 CRITICAL, 3 UNKNOWN (lag could not be read, the group does not exist, or a usage error).
WARN levels default to ${WARN_FRACTION * 100}% of the matching --max-* limit. Across groups: CRITICAL > UNKNOWN > WARN > OK.

Examples:
  kscrape lag --group scrapers
  kscrape lag --group scrapers --max-lag 1000000 --max-lag-time 30m; echo "exit $?"
  kscrape lag --all-groups --json | jq '.groups[] | {group, lag, max_lag_ms}'
  kscrape lag --group scrapers --watch 2s`)
    .action(async (opts: LagFlags, command: Command) => {
      let ctx;
      let limits;
      let watchMs: number | undefined;
      let window: number;
      let timeoutMs: number;
      try {
        ctx = globalContextOf(command);
        if (!opts.group.length && !opts.allGroups) throw new UserError('lag: name a group with --group <id> (repeatable) or pass --all-groups');
        limits = {
          ...(opts.maxLag !== undefined ? { maxLag: nonNegativeInt(opts.maxLag, '--max-lag') } : {}),
          ...(opts.warnLag !== undefined ? { warnLag: nonNegativeInt(opts.warnLag, '--warn-lag') } : {}),
          ...(opts.maxLagTime !== undefined ? { maxLagMs: parseDuration(opts.maxLagTime, '--max-lag-time') } : {}),
          ...(opts.warnLagTime !== undefined ? { warnLagMs: parseDuration(opts.warnLagTime, '--warn-lag-time') } : {}),
        };
        if (!opts.time && (limits.maxLagMs !== undefined || limits.warnLagMs !== undefined)) {
          throw new UserError('lag: --no-time cannot be combined with --max-lag-time/--warn-lag-time (they need the timestamps)');
        }
        watchMs = opts.watch === undefined || opts.watch === false ? undefined : parseDuration(opts.watch === true ? LAG_DEFAULTS.watchInterval : opts.watch, '--watch');
        if (watchMs !== undefined && watchMs < 100) throw new UserError('--watch: the interval must be at least 100ms');
        window = parsePositiveInt(opts.window, '--window');
        timeoutMs = parseDuration(opts.timeout, '--timeout');
      } catch (err) {
        if (err instanceof UserError) throw new LagUsageError(err.message);
        throw err;
      }
      const tty = Boolean((runtime.stdout as NodeJS.WriteStream).isTTY);
      // The group-reads child (a Node process of its own) starts before this process loads the Kafka client, so
      // that the two start-ups overlap; its module loads nothing heavy.
      const { startLagGroupReads } = await import('../lag/group-reads-start.js');
      const adminConfig = ctx.kafkaConfig('admin');
      const groupReadsChild = startLagGroupReads({ adminConfig, groups: opts.group, allGroups: Boolean(opts.allGroups), timeoutMs });
      // Loaded when the command runs: start-up and --help do not pay for the Kafka client (see src/cli.ts).
      const { runLag } = await import('../lag/run-lag.js').catch((err: unknown) => { groupReadsChild.discard(); throw err; });
      const code = await runLag({
        groupReadsChild,
        adminConfig, consumerConfig: ctx.kafkaConfig('consumer'), logger: ctx.logger,
        groups: opts.group, allGroups: Boolean(opts.allGroups), limits, noTime: !opts.time, timeoutMs,
        json: ctx.json, color: tty && !process.env.NO_COLOR, tty, watchMs, window,
        write: (text) => void runtime.stdout.write(text),
      });
      runtime.setExitCode(code);
    });
  // Commander's own parse errors (unknown flag, missing value) also exit 3 for this command: printed once, by
  // the CLI, from the error thrown here.
  const inherited = cmd.configureOutput();
  cmd.configureOutput({ ...inherited, outputError: () => undefined });
  cmd.exitOverride((err: CommanderError) => {
    if (err.exitCode === 0) throw err;
    throw new LagUsageError(err.message.replace(/^error: /, ''));
  });
}
