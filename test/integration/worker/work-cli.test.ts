/**
 * `kscrape work` as operators run it: topics created and URLs produced with the CLI, the real fetcher, a
 * scripted site on three loopback addresses (only 127.0.2.0/24 allowed), results read back from the topics.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../helpers/cli.js';
import { testBrokers, uniqueName } from '../../helpers/env.js';
import { readAll, withAdmin } from '../../helpers/kafka.js';
import { minGapMs, startTargetProcess, type TargetProcess } from '../../helpers/http-targets.js';

const ADDRESSES = ['127.0.2.1', '127.0.2.2', '127.0.2.3'];
// Long enough that 10 % (the allowance for receive-side scheduling noise) is tens of ms on a loaded machine.
const DELAY_MS = 400;
let site: TargetProcess;

beforeAll(async () => {
  site = await startTargetProcess(ADDRESSES, {
    '/robots.txt': { headers: { 'content-type': 'text/plain' }, body: 'User-agent: *\nDisallow: /private\n' },
    '/ok': {},
    '/private/page': {},
    '/missing': { status: 404 },
    '/broken': { status: 503 },
    '/slow': { delayMs: 300 },
    // A redirect to the loopback address outside the allowed block: the guard must refuse it.
    '/escape': { status: 302, headers: { location: 'http://127.0.0.1:9/admin' } },
  });
});

afterAll(async () => {
  await site.close();
});

async function pipeline(urlPartitions = 3) {
  const prefix = `${uniqueName('wk')}.`;
  const env = { KSCRAPE_BROKERS: testBrokers(), KSCRAPE_TOPIC_PREFIX: prefix };
  const created = await runCli(['topics', 'create', '--replication-factor', '1', '--partitions', `urls=${urlPartitions}`], { env, timeoutMs: 60_000 });
  expect(created.code).toBe(0);
  return { prefix, env };
}

function workArgs(group: string, extra: string[] = []): string[] {
  return ['work', '--group', group, '--allow-cidr', '127.0.2.0/24', '--host-delay', `${DELAY_MS}ms`, '--commit-interval', '500ms',
    '--status-interval', '1s', '--shutdown-timeout', '10s', ...extra];
}

describe('kscrape work (CLI, real fetcher)', () => {
  test('a robots.txt Crawl-delay above --host-delay spaces every request from robots.txt on, the first page included', async () => {
    const crawlSite = await startTargetProcess(['127.0.2.9'], {
      '/robots.txt': { headers: { 'content-type': 'text/plain' }, body: 'User-agent: *\nCrawl-delay: 0.4\n' },
      '/p': {},
    });
    try {
      const { env } = await pipeline(1);
      const urls = Array.from({ length: 4 }, (_, i) => `${crawlSite.origins[0]}/p?i=${i}`);
      expect((await runCli(['produce'], { env, input: `${urls.join('\n')}\n`, timeoutMs: 60_000 })).code).toBe(0);
      const r = await runCli([...workArgs(uniqueName('g')).map((a) => (a === `${DELAY_MS}ms` ? '50ms' : a)), '--max-messages', '4', '--json'], { env, timeoutMs: 120_000 });
      expect(r.code).toBe(0);
      const arrivals = (await crawlSite.arrivals())['127.0.2.9']!;
      expect(arrivals.map((a) => a.path)).toEqual(['/robots.txt', '/p', '/p', '/p', '/p']);
      // 10 % for receive-side stamping noise, as everywhere: 360 ms, far above the 50 ms --host-delay.
      expect(minGapMs(arrivals)).toBeGreaterThanOrEqual(400 * 0.9);
    } finally {
      await crawlSite.close();
    }
  }, 180_000);

  test('every URL gets the outcome it should; robots, the address guard and politeness hold', async () => {
    const { env, prefix } = await pipeline();
    const expected: Record<string, { topic: 'pages' | 'errors' | 'dlq'; reason?: string }> = {};
    for (const origin of site.origins) {
      for (let i = 0; i < 3; i++) expected[`${origin}/ok?i=${i}`] = { topic: 'pages' };
      expected[`${origin}/private/page`] = { topic: 'errors', reason: 'robots' };
      expected[`${origin}/missing`] = { topic: 'errors', reason: 'http-status' };
      expected[`${origin}/broken`] = { topic: 'dlq' };
      expected[`${origin}/escape`] = { topic: 'errors', reason: 'blocked-address' };
    }
    const urls = Object.keys(expected);
    const produced = await runCli(['produce'], { env, input: `${urls.join('\n')}\n`, timeoutMs: 60_000 });
    expect(produced.code).toBe(0);

    const work = await runCli([...workArgs(uniqueName('g'), ['--max-messages', String(urls.length), '--json'])], { env, timeoutMs: 90_000 });
    if (work.code !== 0) process.stderr.write(`[work-cli] exit ${work.code} signal ${work.signal}\n${work.stderr}\n`);
    expect([work.code, work.stderr.split('\n').filter((l) => /^kscrape: /.test(l))]).toEqual([0, []]);
    const summary = JSON.parse(work.stdout.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ consumed: urls.length, fetched: urls.length, pages: 9, dlq: 3, errors: 9 });
    // The limiter's counters the README names (issue #18, 5); in-process here, so no Redis trouble to count.
    expect(summary.limiter).toMatchObject({ mode: expect.any(String), redisErrors: 0, redisTimeouts: 0, fallbackActivations: 0, fallbackGrants: 0 });

    const outcome = new Map<string, { topic: string; reason?: string }[]>();
    const add = (url: string, o: { topic: string; reason?: string }) => outcome.set(url, [...(outcome.get(url) ?? []), o]);
    for (const m of await readAll(`${prefix}pages`)) add(JSON.parse(m.value!).url, { topic: 'pages' });
    for (const m of await readAll(`${prefix}errors`)) { const v = JSON.parse(m.value!); add(v.url, { topic: 'errors', reason: v.reason }); }
    for (const m of await readAll(`${prefix}dlq`)) add(JSON.parse(m.value!).original.url, { topic: 'dlq' });
    for (const url of urls) expect([url, outcome.get(url)]).toEqual([url, [expected[url]]]);
    expect(await readAll(`${prefix}metrics`)).toHaveLength(urls.length);

    // Every request each host saw, robots.txt included, respected the delay (10 % allowed for scheduling noise).
    const arrivals = await site.arrivals();
    for (const address of ADDRESSES) {
      expect(arrivals[address]!.filter((a) => a.path === '/robots.txt')).toHaveLength(1);
      expect(arrivals[address]!.some((a) => a.path === '/private/page')).toBe(false);
      expect(minGapMs(arrivals[address]!)).toBeGreaterThanOrEqual(DELAY_MS * 0.9);
    }
  });

  test('SIGTERM mid-run: in-flight work finishes, exit 0, and a second run completes the rest with nothing lost', async () => {
    const { env, prefix } = await pipeline(2);
    const urls = site.origins.flatMap((origin) => Array.from({ length: 12 }, (_, i) => `${origin}/slow?n=${i}`));
    expect((await runCli(['produce'], { env, input: urls.join('\n'), timeoutMs: 60_000 })).code).toBe(0);
    const group = uniqueName('g');
    const bin = fileURLToPath(new URL('../../../bin/kscrape', import.meta.url));
    const child = spawn(process.execPath, [bin, ...workArgs(group)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    // Stop it once it has fetched some (3 hosts × ~2/s).
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const seen = Object.values(await site.arrivals()).flat().filter((a) => a.path === '/slow').length;
      if (seen >= 6) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect([code, stderr.includes('SIGTERM received')]).toEqual([0, true]);

    // Second run finishes what the first left.
    const rest = await runCli([...workArgs(group, ['--idle-exit', '3s'])], { env, timeoutMs: 90_000 });
    expect(rest.code).toBe(0);
    const pages = await readAll(`${prefix}pages`);
    const seen = new Set(pages.map((m) => JSON.parse(m.value!).url as string));
    expect(urls.filter((u) => !seen.has(u))).toEqual([]);
    // The commit is the lowest unfinished offset, so URLs finished above a still-queued one are fetched again by
    // the second run (at-least-once); they can only be among those consumed but unfinished at the stop.
    process.stderr.write(`[work-cli] ${pages.length - seen.size} URLs fetched twice across the restart\n`);
    expect(pages.length - seen.size).toBeLessThan(urls.length);
    const [committed] = await withAdmin((admin) => admin.fetchOffsets({ groupId: group, topics: [`${prefix}urls`] }));
    expect(committed!.partitions.reduce((n, p) => n + Number(p.offset), 0)).toBe(urls.length);
  });

  test('--metrics-port already taken: one clear line and a usage exit, at once (the started consumer is stopped, not left holding the process)', async () => {
    const { env } = await pipeline(1);
    const held = createServer();
    await new Promise<void>((r) => held.listen(0, '127.0.0.1', () => r()));
    const port = (held.address() as AddressInfo).port;
    try {
      for (const command of [['work'], ['extract']]) {
        const r = await runCli([...command, '--metrics-port', String(port), '--metrics-host', '127.0.0.1'], { env, timeoutMs: 60_000 });
        // 137 would be the exit bound ending a process that a running consumer kept alive.
        expect([command[0], r.code]).toEqual([command[0], 2]);
        expect(r.stderr).toMatch(new RegExp(`--metrics-port ${port}: .*EADDRINUSE`));
        expect(r.stderr).not.toMatch(/did not end 15 s after/);
      }
    } finally {
      held.close();
    }
  });

  test('a missing topic is one clear line and exit 2', async () => {
    const r = await runCli(['work', '--topic-prefix', uniqueName('none') + '.'], { env: { KSCRAPE_BROKERS: testBrokers() }, timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not found: create them with 'kscrape topics create'/);
  });
});
