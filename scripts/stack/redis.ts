/**
 * Redis for the local stack: reuse the one at the configured URL when it answers, otherwise start
 * Debian's redis-server on a free port (nothing kept on disk).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, isAlive, sleep, terminate } from './ports.js';

const run = promisify(execFile);

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface RedisState {
  url: string;
  /** Set when this stack started the server (and so must stop it). */
  pid?: number;
  logFile?: string;
}

export async function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

const stateFile = (stateDir: string) => join(stateDir, 'redis.json');

export function readRedisState(stateDir: string): RedisState | undefined {
  const file = stateFile(stateDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RedisState) : undefined;
}

export async function ensureRedis(opts: { stateDir: string; url?: string; log?: (line: string) => void }): Promise<RedisState> {
  const log = opts.log ?? (() => undefined);
  const previous = readRedisState(opts.stateDir);
  if (previous?.pid && isAlive(previous.pid) && (await redisAnswers(previous.url))) return previous;

  const url = opts.url ?? DEFAULT_REDIS_URL;
  if (await redisAnswers(url)) {
    const state: RedisState = { url };
    writeFileSync(stateFile(opts.stateDir), JSON.stringify(state, null, 2));
    return state;
  }
  log(`no Redis answers at ${url}; starting redis-server`);
  const port = await freePort();
  const pidFile = join(opts.stateDir, 'redis.pid');
  const logFile = join(opts.stateDir, 'redis.log');
  try {
    await run('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--daemonize', 'yes', '--pidfile', pidFile, '--logfile', logFile, '--dir', opts.stateDir]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('redis-server is not installed: apt-get install -y redis-server');
    throw err;
  }
  const started: RedisState = { url: `redis://127.0.0.1:${port}`, logFile };
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers(started.url))) {
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}; see ${logFile}`);
    await sleep(100);
  }
  started.pid = Number(readFileSync(pidFile, 'utf8').trim());
  writeFileSync(stateFile(opts.stateDir), JSON.stringify(started, null, 2));
  return started;
}

/**
 * Stops the Redis this stack started; one it merely reused is left alone, and so is its record: it still runs,
 * and `status` says so (instead of "not started") until the next `up` looks again.
 */
export async function stopRedis(stateDir: string): Promise<boolean> {
  const state = readRedisState(stateDir);
  if (!state?.pid) return false;
  rmSync(stateFile(stateDir), { force: true });
  await terminate(state.pid, 5_000);
  return true;
}
