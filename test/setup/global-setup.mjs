// Starts the real stack the integration tests talk to: a Kafka broker on free ports (or the one named by
// KSCRAPE_TEST_BROKERS) and Redis (KSCRAPE_TEST_REDIS_URL, the one on 127.0.0.1:6379, or a fresh redis-server).
// Needs `npm run build` first (npm test does it): the launcher runs from dist/.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readBrokerState, startBroker, stopBroker } from '../../dist/scripts/stack/broker.js';
import { ensureRedis } from '../../dist/scripts/stack/redis.js';

export default async function globalSetup() {
  if (process.env.KSCRAPE_TEST_UNIT_ONLY === '1') return;
  // One folder per run (named by this process's pid), so that concurrent runs never share or stop each other's broker.
  const root = resolve('test-results/stacks');
  const stateDir = join(root, String(process.pid));
  mkdirSync(stateDir, { recursive: true });
  const log = (line) => process.stderr.write(`\n[stack] ${line}`);
  await reapAbandonedStacks(root);
  globalThis.__kscrapeRunDir = stateDir;

  if (!process.env.KSCRAPE_TEST_BROKERS) {
    const broker = await startBroker({ stateDir, freePorts: true, log });
    process.env.KSCRAPE_TEST_BROKERS = broker.brokers;
    globalThis.__kscrapeStackDir = stateDir;
    log(`Kafka ${broker.version} ready at ${broker.brokers} in ${(broker.startupMs / 1000).toFixed(1)} s\n`);
  } else {
    log(`using KSCRAPE_TEST_BROKERS=${process.env.KSCRAPE_TEST_BROKERS}\n`);
  }
  const redis = await ensureRedis({
    stateDir,
    ...(process.env.KSCRAPE_TEST_REDIS_URL ? { url: process.env.KSCRAPE_TEST_REDIS_URL } : {}),
    log,
  });
  process.env.KSCRAPE_TEST_REDIS_URL = redis.url;
  globalThis.__kscrapeRedisStarted = Boolean(redis.pid);
  globalThis.__kscrapeRedisDir = stateDir;
  log(`Redis at ${redis.url}${redis.pid ? ' (started for the tests)' : ''}\n`);
  // PostgreSQL (the sink's tests): the server scripts/setup.sh installs; tests create and drop their own databases.
  process.env.KSCRAPE_TEST_PG_DSN ??= 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** Stops brokers left behind by runs that were killed before their teardown (their pid is gone). */
async function reapAbandonedStacks(root) {
  for (const name of readdirSync(root)) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    const dir = join(root, name);
    if (readBrokerState(dir)) await stopBroker(dir, 5_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}
