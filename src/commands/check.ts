/**
 * `kscrape check`: a cluster health check for alerting, with the exit codes of `lag` (0 OK, 1 WARN, 2 CRITICAL,
 * 3 UNKNOWN; usage errors exit 3 too, so a typo in a monitoring config shows as UNKNOWN instead of paging).
 */
import { Option, type Command, type CommanderError } from 'commander';
import { parseDuration } from '../units.js';
import { globalContextOf } from './global-options.js';
import type { CommandRuntime } from './runtime.js';
import { KscrapeError } from '../errors.js';
import { LagExit } from '../lag/thresholds.js';

/** The defaults of `kscrape check` (durations as written on the command line). */
export const CHECK_DEFAULTS = {
  /**
   * How long to wait for the cluster (and Redis, and each broker probed on its own) to answer.
   * @default '10s'
   */
  timeout: '10s',
  /**
   * Judge every topic of the cluster, not only kscrape's (the standard set under --topic-prefix, plus
   * __consumer_offsets and __transaction_state).
   * @default false
   */
  allTopics: false,
} as const;

/** A usage error of `check`: one line, exit 3 (UNKNOWN). */
class CheckUsageError extends KscrapeError {
  constructor(message: string) {
    super(message, { code: 'usage', exitCode: LagExit.unknown });
  }
}

export function registerCheckCommand(program: Command, runtime: CommandRuntime): void {
  const cmd = program
    .command('check')
    .description('cluster health for alerting: brokers answering, controller, offline / under-replicated / under-min-ISR partitions (and Redis, with --redis)')
    .option('--timeout <duration>', 'how long to wait for an answer', CHECK_DEFAULTS.timeout)
    .addOption(new Option('--all-topics', 'judge every topic, not only kscrape\'s').default(CHECK_DEFAULTS.allTopics))
    .addHelpText('after', `
Exit codes (as for lag): 0 OK, 1 WARN, 2 CRITICAL, 3 UNKNOWN.
  CRITICAL  the cluster does not answer, no listed broker answers, no controller, a partition has no leader
            (offline), or a partition has fewer in-sync replicas than its min.insync.replicas (acks=all writes
            to it fail: produce stops)
  WARN      a broker that holds replicas is not listed (down, or fenced by the controller), a listed broker does
            not answer a request sent to it alone (frozen or overloaded), a partition is under-replicated, or
            Redis (with --redis) does not answer
  UNKNOWN   something the verdict needs could not be read, or a usage error
Topics judged: kscrape's (the standard set under --topic-prefix) and __consumer_offsets and __transaction_state
(committed positions and --eos depend on them); --all-topics judges every topic.
With KRaft the controller id the brokers report to clients is a live broker, not the quorum leader (clients
cannot reach the controllers); "no controller" means the brokers know none.

Examples:
  kscrape check --brokers 127.0.0.1:9092
  kscrape check --brokers kafka-1:9092,kafka-2:9092,kafka-3:9092 --all-topics --json
  kscrape check --client-config ccloud.properties --redis redis://127.0.0.1:6379 --json`)
    .action(async (opts: { timeout: string; allTopics: boolean }, command: Command) => {
      const ctx = globalContextOf(command);
      let timeoutMs: number;
      try {
        timeoutMs = parseDuration(opts.timeout, '--timeout');
      } catch (err) {
        throw new CheckUsageError((err as Error).message);
      }
      // Loaded when the command runs: start-up and --help do not pay for the Kafka client or ioredis (see src/cli.ts).
      const { runCheck } = await import('../cluster/run-check.js');
      const code = await runCheck({
        config: ctx.kafkaConfig('admin'), logger: ctx.logger, timeoutMs, prefix: ctx.topicPrefix, allTopics: opts.allTopics,
        brokers: ctx.brokers.brokers, redisUrl: ctx.redisUrl, json: ctx.json,
        tty: Boolean((runtime.stdout as NodeJS.WriteStream).isTTY), write: (text) => void runtime.stdout.write(text),
      });
      runtime.setExitCode(code);
    });
  // Commander's own parse errors (unknown flag, missing value) also exit 3: printed once, by the CLI.
  const inherited = cmd.configureOutput();
  cmd.configureOutput({ ...inherited, outputError: () => undefined });
  cmd.exitOverride((err: CommanderError) => {
    if (err.exitCode === 0) throw err;
    throw new CheckUsageError(err.message.replace(/^error: /, ''));
  });
}
