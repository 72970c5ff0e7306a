/**
 * Measures the crawl dedupe store's Redis memory per URL (README "Crawling a site", BENCHMARKS.md): claims N
 * distinct URLs through RedisCrawlStore (200 links per call, as pages would) in a private redis-server started
 * on a free loopback port with the compiled-in defaults (hash-max-listpack-entries 128), and reports
 * used_memory growth / N and the buckets' encodings. Not a test (minutes at 10 M); run once:
 *   npm run -s build && node dist/scripts/measure-crawl-dedupe.js 1000000 10000000
 */
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { CRAWL_STORE_DEFAULTS, RedisCrawlStore, crawlKeyPrefix } from '../src/crawl/store.js';
import { DEFAULT_BUCKET_BITS } from '../src/crawl/url-hash.js';
import { freePort, sleep } from './stack/ports.js';
import { redisAnswers } from './stack/redis.js';

const LINKS_PER_CALL = 200;

async function measure(redis: Redis, n: number, crawlId: string): Promise<void> {
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
  const before = await usedMemory();
  const store = new RedisCrawlStore({ redis, keyPrefix: 'measure:', limits: CRAWL_STORE_DEFAULTS });
  const started = Date.now();
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < n; i += LINKS_PER_CALL) {
    const links = [];
    for (let j = i; j < Math.min(n, i + LINKS_PER_CALL); j++) links.push({ url: `https://host${j % 1000}.example/path/${j}?q=${j * 7}`, host: `host${j % 1000}.example` });
    inFlight.push(store.visit({ crawlId, owner: 1 + (i % 1000), links, refused: {} }));
    if (inFlight.length >= 16) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
  const seconds = (Date.now() - started) / 1000;
  const after = await usedMemory();
  const base = crawlKeyPrefix('measure:', crawlId);
  const encodings = new Map<string, number>();
  for (let b = 0; b < 200; b++) {
    const enc = String(await redis.object('ENCODING', `${base}s:${b.toString(36)}`));
    encodings.set(enc, (encodings.get(enc) ?? 0) + 1);
  }
  const sampleBytes = Number(await redis.memory('USAGE', `${base}s:0`));
  const entries = await redis.hlen(`${base}s:0`);
  process.stdout.write(`${n} URLs: used_memory +${((after - before) / 1e6).toFixed(1)} MB = ${((after - before) / n).toFixed(1)} bytes/URL `
    + `(${2 ** DEFAULT_BUCKET_BITS} buckets; bucket s:0 ${entries} URLs, ${sampleBytes} B by MEMORY USAGE = ${(sampleBytes / entries).toFixed(1)} B/URL; `
    + `encodings of 200 buckets: ${[...encodings].map(([k, v]) => `${k} ${v}`).join(', ')}); ${Math.round(n / seconds)} URLs/s claimed\n`);
}

async function main(): Promise<void> {
  const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  try {
    const url = `redis://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    while (!(await redisAnswers(url, 300))) {
      if (Date.now() > deadline) throw new Error('redis-server did not start');
      await sleep(50);
    }
    const redis = new Redis(url);
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];
    const listpack = await redis.config('GET', 'hash-max-listpack-entries');
    process.stdout.write(`redis ${version}, hash-max-listpack-entries ${String((listpack as string[])[1])}\n`);
    for (const [i, n] of (counts.length ? counts : [1_000_000, 10_000_000]).entries()) {
      await redis.flushall();
      await measure(redis, n, `m${i}`);
    }
    redis.disconnect();
  } finally {
    server.kill('SIGKILL');
  }
}

await main();
