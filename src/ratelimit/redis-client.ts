/** The one place that builds ioredis clients, so every command treats an absent Redis the same way. */
import { Redis, type RedisOptions } from 'ioredis';
import { withDeadline } from '../deadline.js';
import { RuntimeFailure, errorMessage } from '../errors.js';
import { redactUrl, scrubSecrets } from '../redact.js';

export function createRedis(url: string, options: RedisOptions = {}): Redis {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000, ...options });
  // Without a listener ioredis prints connection errors itself; callers watch 'error' where they care.
  client.on('error', () => undefined);
  return client;
}

/** A connected client, or a retriable failure naming the (redacted) URL: for commands that need Redis to start. */
export async function connectRedis(url: string, timeoutMs: number): Promise<Redis> {
  const redis = createRedis(url, { connectTimeout: timeoutMs });
  try {
    await withDeadline(redis.connect(), timeoutMs + 500, 'Redis connect');
    return redis;
  } catch (err) {
    redis.disconnect();
    throw new RuntimeFailure(`cannot reach Redis at ${redactUrl(url)}: ${errorMessage(err)}`, 'redis.unreachable', { retriable: true, cause: err });
  }
}

export async function pingRedis(url: string, timeoutMs: number): Promise<{ ok: boolean; url: string; ms: number; error?: string }> {
  const t0 = Date.now();
  const client = createRedis(url, { connectTimeout: timeoutMs, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    await client.ping();
    return { ok: true, url: redactUrl(url), ms: Date.now() - t0 };
  } catch (err) {
    return { ok: false, url: redactUrl(url), ms: Date.now() - t0, error: scrubSecrets(errorMessage(err)) };
  } finally {
    client.disconnect();
  }
}
