/** `kscrape check`: can this machine reach the cluster (and Redis)? For start-up scripts and health checks. */
import type { Command } from 'commander';
import { parseDuration } from '../units.js';
import { globalContextOf } from './global-options.js';
import type { CommandRuntime } from './runtime.js';
import { ExitCode } from '../errors.js';

/** The defaults of `kscrape check` (durations as written on the command line). */
export const CHECK_DEFAULTS = {
  /**
   * How long to wait for the cluster (and Redis) to answer.
   * @default '10s'
   */
  timeout: '10s',
} as const;

export function registerCheckCommand(program: Command, runtime: CommandRuntime): void {
  program
    .command('check')
    .description('check that the Kafka cluster (and Redis, with --redis) answers; exit 1 when not')
    .option('--timeout <duration>', 'how long to wait for an answer', CHECK_DEFAULTS.timeout)
    .addHelpText('after', `
Examples:
  kscrape check --brokers 127.0.0.1:9092
  kscrape check --client-config ccloud.properties --redis redis://127.0.0.1:6379 --json`)
    .action(async (opts: { timeout: string }, cmd: Command) => {
      const ctx = globalContextOf(cmd);
      const timeoutMs = parseDuration(opts.timeout, '--timeout');
      // Loaded when the command runs: start-up and --help do not pay for the Kafka client or ioredis (see src/cli.ts).
      const [{ connectAdmin }, { pingRedis }] = await Promise.all([import('../kafka/index.js'), import('../ratelimit/redis-client.js')]);
      const t0 = Date.now();
      const { admin, close } = await connectAdmin({ config: ctx.kafkaConfig('admin'), logger: ctx.logger, timeoutMs });
      const topics = await admin.listTopics({ timeout: timeoutMs }).finally(close);
      const kafkaMs = Date.now() - t0;
      const result: Record<string, unknown> = { kafka: { brokers: ctx.brokers.brokers, topics: topics.length, ms: kafkaMs } };
      if (ctx.redisUrl) {
        const redis = await pingRedis(ctx.redisUrl, timeoutMs);
        result.redis = redis;
        if (!redis.ok) runtime.setExitCode(ExitCode.failure);
      }
      if (ctx.json) {
        runtime.stdout.write(`${JSON.stringify(result)}\n`);
      } else {
        runtime.stdout.write(`kafka  ok  ${ctx.brokers.brokers}  ${topics.length} topics  ${kafkaMs} ms\n`);
        const redis = result.redis as { ok: boolean; ms: number; error?: string } | undefined;
        if (redis) runtime.stdout.write(`redis  ${redis.ok ? `ok  ${redis.ms} ms` : `FAILED  ${redis.error ?? ''}`}\n`);
      }
    });
}
