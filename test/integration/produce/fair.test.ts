import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UrlEnvelope } from '../../../src/records/index.js';
import { createLogger } from '../../../src/log.js';
import { bandPartition, hostPartition } from '../../../src/partition/partitioner.js';
import { RedisDepthSource, decrementDepth, depthKey } from '../../../src/partition/redis-depth.js';
import { createRedis } from '../../../src/ratelimit/redis-client.js';
import { runCli } from '../../helpers/cli.js';
import { testBrokers, testRedisUrl, uniqueName } from '../../helpers/env.js';
import { readBack, withAdmin } from '../../helpers/kafka.js';

const redis = createRedis(testRedisUrl());
const quiet = createLogger({ level: 'quiet' });
const dir = mkdtempSync(join(tmpdir(), 'kscrape-fair-'));
afterAll(() => { redis.disconnect(); rmSync(dir, { recursive: true, force: true }); });

describe('fair partitioning depth', () => {
  test('RedisDepthSource: batched increments, cached answers, worker decrements clamp at zero and drop the host', async () => {
    const key = depthKey(`${uniqueName('fair')}.`, 'urls');
    const a = new RedisDepthSource({ redis, key, logger: quiet, intervalMs: 60_000 });
    const b = new RedisDepthSource({ redis, key, logger: quiet, intervalMs: 60_000 });
    for (let i = 0; i < 5; i++) a.add('big.example');
    b.add('big.example', 3);
    b.add('small.example');
    // Before a sync, each producer knows only its own unsent counts.
    expect(a.depth('big.example')).toBe(5);
    await a.sync();
    await b.sync();
    expect(await redis.hgetall(key)).toEqual({ 'big.example': '8', 'small.example': '1' });
    await a.sync();
    expect(a.depth('big.example')).toBe(8);
    expect(a.depth('unknown.example')).toBe(0);

    await decrementDepth(redis, key, new Map([['big.example', 6], ['small.example', 4]]));
    expect(await redis.hgetall(key)).toEqual({ 'big.example': '2' });
    await a.close();
    expect(a.depth('big.example')).toBe(2);
    await b.close();
    await redis.del(key);
  });

  test('kscrape produce --partitioner fair (no Redis: counts of this run) spreads a deep host over --fair-bands partitions', async () => {
    const prefix = `${uniqueName('fair')}.`;
    const topic = `${prefix}urls`;
    await withAdmin((admin) => admin.createTopics({ topics: [{ topic, numPartitions: 8, replicationFactor: 1 }] }));
    const file = join(dir, 'urls.txt');
    const deep = Array.from({ length: 60 }, (_, i) => `https://deep.example/p/${i}`);
    const shallow = Array.from({ length: 5 }, (_, i) => `https://shallow.example/p/${i}`);
    writeFileSync(file, [...deep, ...shallow].join('\n'));
    const r = await runCli(['produce', file, '--brokers', testBrokers(), '--topic-prefix', prefix, '--partitioner', 'fair', '--fair-threshold', '10', '--fair-bands', '3', '--json']);
    expect(r.code).toBe(0);
    const messages = await readBack(topic, 65);
    expect(messages).toHaveLength(65);
    const partitionsOf = (host: string) => new Set(messages.filter((m) => (JSON.parse(m.value!) as UrlEnvelope).host === host).map((m) => m.partition));
    const bands = new Set([0, 1, 2].map((b) => bandPartition('deep.example', b, 8)));
    const deepPartitions = partitionsOf('deep.example');
    expect(deepPartitions.size).toBeGreaterThan(1);
    for (const p of deepPartitions) expect(bands.has(p)).toBe(true);
    expect(partitionsOf('shallow.example')).toEqual(new Set([hostPartition('shallow.example', 8)]));
  });
});
