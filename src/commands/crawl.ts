/** `kscrape crawl stats ID` and `kscrape crawl stop ID`: watch and end a crawl run by `kscrape work --follow`. */
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { globalContextOf } from './global-options.js';
import type { CommandRuntime } from './runtime.js';

const NEEDS_REDIS = 'a crawl keeps its counters and stop flag in Redis: pass --redis redis://host:6379 or set KSCRAPE_REDIS_URL';

export function registerCrawlCommand(program: Command, runtime: CommandRuntime): void {
  const crawl = program.command('crawl').description('watch or stop a crawl (kscrape work --follow) by its id')
    .addHelpText('after', `
Examples:
  kscrape crawl stats shop1 --redis redis://127.0.0.1:6379
  kscrape crawl stop shop1 --redis redis://127.0.0.1:6379`);

  const connect = async (cmd: Command) => {
    const ctx = globalContextOf(cmd);
    if (!ctx.redisUrl) throw new UserError(NEEDS_REDIS, 'crawl.needs-redis');
    const { connectRedis } = await import('../ratelimit/redis-client.js');
    return { ctx, redis: await connectRedis(ctx.redisUrl, 5_000) };
  };

  crawl.command('stats').argument('<id>', 'the crawl id (produce --crawl)')
    .description('pages, URLs queued, links refused by reason, depth histogram, top hosts (--json: one JSON document)')
    .addHelpText('after', `
Examples:
  kscrape crawl stats shop1
  kscrape crawl stats shop1 --json | jq .refused`)
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      const { ctx, redis } = await connect(cmd);
      try {
        const { readCrawlStats, renderCrawlStats } = await import('../crawl/control.js');
        const stats = await readCrawlStats(redis, ctx.topicPrefix, id);
        runtime.stdout.write(ctx.json ? `${JSON.stringify(stats)}\n` : renderCrawlStats(stats));
      } finally {
        redis.disconnect();
      }
    });

  crawl.command('stop').argument('<id>', 'the crawl id (produce --crawl)')
    .description("workers drop the crawl's remaining URLs unfetched (counted, offsets committed) within about a second")
    .addHelpText('after', `
Examples:
  kscrape crawl stop shop1`)
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      const { ctx, redis } = await connect(cmd);
      try {
        const { stopCrawl } = await import('../crawl/control.js');
        await stopCrawl(redis, ctx.topicPrefix, id);
        ctx.logger.info(`crawl ${id} stopped: workers drop its remaining URLs`);
      } finally {
        redis.disconnect();
      }
    });
}
