import { rmSync } from 'node:fs';
import { stopBroker } from '../../dist/scripts/stack/broker.js';
import { stopRedis } from '../../dist/scripts/stack/redis.js';

export default async function globalTeardown() {
  if (globalThis.__kscrapeStackDir) await stopBroker(globalThis.__kscrapeStackDir, 15_000);
  if (globalThis.__kscrapeRedisStarted) await stopRedis(globalThis.__kscrapeRedisDir);
  if (globalThis.__kscrapeRunDir) rmSync(globalThis.__kscrapeRunDir, { recursive: true, force: true });
}
