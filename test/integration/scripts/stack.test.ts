import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRedis, redisAnswers, stopRedis } from '../../../scripts/stack/redis.js';
import { brokerAnswers } from '../../../scripts/stack/broker.js';
import { freePort } from '../../../scripts/stack/ports.js';
import { testBrokers, testRedisUrl } from '../../helpers/env.js';

describe('local stack', () => {
  test('the broker the suite started answers admin requests; a closed port does not', async () => {
    expect(await brokerAnswers(testBrokers())).toBe(true);
    expect(await brokerAnswers(`127.0.0.1:${await freePort()}`, 1_500)).toBe(false);
  });

  test('status after down: the reused Redis it left running is reported up, and nothing down means exit 0 (issue #18, 10)', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'kscrape-stack-'));
    const url = testRedisUrl();
    expect((await ensureRedis({ stateDir, url })).pid).toBeUndefined();
    const stack = (command: string) => spawnSync(process.execPath, [fileURLToPath(new URL('../../../dist/scripts/stack.js', import.meta.url)), command],
      { env: { ...process.env, KSCRAPE_STACK_DIR: stateDir }, encoding: 'utf8' });
    expect(stack('down').status).toBe(0);
    const status = stack('status');
    expect(status.stdout).toContain(`redis  ${url} up`);
    expect(status.stdout).not.toContain('redis  not started');
    expect(status.stdout).toContain('kafka  not started');
    expect(status.status).toBe(0);
    expect(await redisAnswers(url)).toBe(true);
  });

  test('with no Redis at the configured URL, a redis-server is started on a free port and stopped again', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'kscrape-stack-'));
    const deadUrl = `redis://127.0.0.1:${await freePort()}`;
    const state = await ensureRedis({ stateDir, url: deadUrl });
    try {
      expect(state.url).not.toBe(deadUrl);
      expect(state.pid).toBeGreaterThan(0);
      expect(await redisAnswers(state.url)).toBe(true);
    } finally {
      expect(await stopRedis(stateDir)).toBe(true);
    }
    expect(await redisAnswers(state.url)).toBe(false);
  });
});
