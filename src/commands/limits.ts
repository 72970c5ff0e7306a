/** `kscrape limits show [host...]`: what the shared (Redis) limiter knows about hosts right now. */
import type { Command } from 'commander';
import { RuntimeFailure, UserError, errorMessage } from '../errors.js';
import { parseDuration, parsePositiveInt } from '../units.js';
import { redactUrl, scrubSecrets } from '../redact.js';
import { globalContextOf } from './global-options.js';
import type { CommandRuntime } from './runtime.js';

/** The defaults of `kscrape limits show` (counts as numbers, durations as written on the command line). */
export const LIMITS_SHOW_DEFAULTS = {
  /**
   * Most keys to list when scanning (SCAN, never KEYS).
   * @default 1000
   */
  limit: 1000,
  /**
   * How long to wait for Redis.
   * @default '5s'
   */
  timeout: '5s',
} as const;

export function registerLimitsCommand(program: Command, runtime: CommandRuntime): void {
  const limits = program.command('limits').description('inspect the shared per-host rate limiter in Redis')
    .addHelpText('after', `
Examples:
  kscrape --redis redis://127.0.0.1:6379 limits show example.com
  kscrape --redis redis://127.0.0.1:6379 limits show --limit 50 --json`);
  limits
    .command('show')
    .description('per host: when it next admits a request, its configured rate and interval, and the key\'s TTL')
    .argument('[host...]', 'hosts to show (default: every key under the topic prefix)')
    .option('--limit <n>', 'most keys to list when scanning (SCAN, never KEYS)', String(LIMITS_SHOW_DEFAULTS.limit))
    .option('--timeout <duration>', 'how long to wait for Redis', LIMITS_SHOW_DEFAULTS.timeout)
    .addHelpText('after', `
Hosts without state in Redis admit at once ("now (no state)"). Keys live under <topic-prefix>kscrape:rl:.

Examples:
  kscrape --redis redis://127.0.0.1:6379 limits show example.com news.example.org
  kscrape --redis redis://127.0.0.1:6379 --topic-prefix crawl2. limits show --limit 50
  kscrape limits show --json | jq '.keys[] | select(.nextAllowedInMs > 10000)'`)
    .action(async (hosts: string[], opts: { limit: string; timeout: string }, cmd: Command) => {
      const ctx = globalContextOf(cmd);
      const limit = parsePositiveInt(opts.limit, '--limit');
      const timeoutMs = parseDuration(opts.timeout, '--timeout');
      if (!ctx.redisUrl) throw new UserError('limits show needs --redis <url> (or KSCRAPE_REDIS_URL)', 'usage.redis-missing');
      // Loaded when the command runs: start-up and --help do not pay for ioredis (see src/cli.ts).
      const [{ createRedis }, { formatLimitsTable, inspectLimits }] = await Promise.all([import('../ratelimit/redis-client.js'), import('../ratelimit/inspect.js')]);
      const redis = createRedis(ctx.redisUrl, { connectTimeout: timeoutMs, retryStrategy: () => null });
      try {
        await redis.connect();
        const report = await inspectLimits({ redis, topicPrefix: ctx.topicPrefix, hosts, limit, timeoutMs });
        runtime.stdout.write(ctx.json ? `${JSON.stringify(report)}\n` : formatLimitsTable(report));
      } catch (err) {
        if (err instanceof UserError) throw err;
        throw new RuntimeFailure(`Redis at ${redactUrl(ctx.redisUrl)} did not answer: ${scrubSecrets(errorMessage(err))}`, 'redis.unavailable', { retriable: true, cause: err });
      } finally {
        redis.disconnect();
      }
    });
}
