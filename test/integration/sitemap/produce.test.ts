// `kscrape sitemap --produce` is produce's pipeline fed by the walk: its dedupe (a second run delivers nothing new,
// counted as duplicates), its partitioner (a host's URLs on one partition), its delivery accounting (a broker that
// stops mid-run: the rest in the fallback file, produce's exit code, the file replays with `kscrape produce`), and a
// broker unreachable from the start (the walk's URLs saved to the fallback file, the failure's line says where).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, stopBroker } from '../../../scripts/stack/broker.js';
import { hostPartition } from '../../../src/partition/partitioner.js';
import type { UrlEnvelope } from '../../../src/records/index.js';
import { runCli } from '../../helpers/cli.js';
import { testBrokers, testRedisUrl, uniqueName } from '../../helpers/env.js';
import { startTarget, type Route, type Target } from '../../helpers/http-targets.js';
import { readBack, withAdmin } from '../../helpers/kafka.js';
import { startCli } from '../../helpers/produce.js';
import { sitemapIndex, urlset } from '../../unit/sitemap/fixtures.js';

const xml = (body: string): Route => (_req, res) => { res.writeHead(200, { 'content-type': 'application/xml' }).end(body); };
const noRobots: Route = (_req, res) => { res.writeHead(404).end(); };

let a: Target;
let b: Target;
const routesA: Record<string, Route> = { '/robots.txt': noRobots };
const routesB: Record<string, Route> = { '/robots.txt': noRobots };
const dir = mkdtempSync(join(tmpdir(), 'kscrape-sitemap-produce-'));
/** Held until the test lets it answer: the point at which the mid-run test stops its broker. */
let releaseLate: () => void = () => undefined;
let lateRequested: () => void = () => undefined;

const pagesOf = (origin: string, name: string, n: number) => Array.from({ length: n }, (_, i) => `${origin}/${name}-${i}`);

beforeAll(async () => {
  a = await startTarget('127.0.7.11', routesA);
  b = await startTarget('127.0.7.12', routesB);
  Object.assign(routesA, {
    '/sitemap.xml': xml(urlset(pagesOf(a.origin, 'a', 6).map((loc) => ({ loc })))),
    '/index.xml': xml(sitemapIndex([{ loc: `${a.origin}/early.xml` }, { loc: `${a.origin}/late.xml` }])),
    '/early.xml': xml(urlset(pagesOf(a.origin, 'early', 5).map((loc) => ({ loc })))),
    '/late.xml': ((_req, res) => {
      lateRequested();
      const held = new Promise<void>((r) => { releaseLate = r; });
      void held.then(() => xml(urlset(pagesOf(a.origin, 'late', 5).map((loc) => ({ loc }))))(_req, res));
    }) as Route,
  });
  Object.assign(routesB, { '/sitemap.xml': xml(urlset(pagesOf(b.origin, 'b', 6).map((loc) => ({ loc })))) });
});

afterAll(async () => {
  releaseLate();
  await Promise.all([a?.close(), b?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

interface Summary { urls: number; produce: { delivered: number; duplicates_skipped: number; failed: number; fallback_file: string | null }; exit_code: number }

describe('kscrape sitemap --produce', () => {
  test('a host\'s URLs on one partition; a second run with --dedupe delivers nothing new and counts it', async () => {
    // A prefix of its own: produce's dedupe keys (Redis) and the urls topic are this test's alone.
    const prefix = `${uniqueName('smp')}.`;
    await withAdmin((admin) => admin.createTopics({ topics: [{ topic: `${prefix}urls`, numPartitions: 4, replicationFactor: 1 }] }));
    const args = ['--brokers', testBrokers(), '--redis', testRedisUrl(), '--topic-prefix', prefix,
      'sitemap', `${a.origin}/sitemap.xml`, `${b.origin}/sitemap.xml`, '--allow-private', '--host-delay', '0',
      '--produce', '--dedupe', '24h', '--json'];
    const first = await runCli(args, { timeoutMs: 90_000, cwd: dir });
    expect({ code: first.code, stderr: first.stderr }).toMatchObject({ code: 0 });
    expect(JSON.parse(first.stdout)).toMatchObject({ urls: 12, produce: { delivered: 12, duplicates_skipped: 0, failed: 0 }, exit_code: 0 });

    const messages = await readBack(`${prefix}urls`, 13, 8_000);
    const envelopes = messages.map((m) => ({ partition: m.partition, e: JSON.parse(m.value!) as UrlEnvelope }));
    expect(envelopes.map((x) => x.e.url).sort()).toEqual([...pagesOf(a.origin, 'a', 6), ...pagesOf(b.origin, 'b', 6)].sort());
    for (const host of [new URL(a.origin).host, new URL(b.origin).host]) {
      const partitions = new Set(envelopes.filter((x) => x.e.host === host).map((x) => x.partition));
      // One partition per host, the one produce's host partitioner names (so politeness holds downstream).
      expect([...partitions]).toEqual([hostPartition(host, 4)]);
    }

    const second = await runCli(args, { timeoutMs: 90_000, cwd: dir });
    expect({ code: second.code, stderr: second.stderr }).toMatchObject({ code: 0 });
    const again = JSON.parse(second.stdout) as Summary;
    expect(again).toMatchObject({ urls: 12, produce: { delivered: 0, duplicates_skipped: 12, failed: 0, fallback_file: null }, exit_code: 0 });
    expect(await readBack(`${prefix}urls`, 13, 3_000)).toHaveLength(12);
  }, 180_000);

  test('a broker unreachable from the start: the walk goes on, its URLs land in the fallback file, exit 1, the file replays', async () => {
    const fallback = join(dir, 'unsent.jsonl');
    const r = await runCli(['--brokers', '127.0.0.1:1', 'sitemap', `${a.origin}/sitemap.xml`, '--allow-private', '--host-delay', '0',
      '--produce', '--fallback', fallback], { timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    // The warning that the input is being saved, then the failure's one line saying where it is.
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`kscrape: warning: produce could not start: saving its input to ${fallback} (read to its end; Ctrl-C stops)`);
    expect(lines[1]).toMatch(/^kscrape: cannot reach Kafka at 127\.0\.0\.1:1 within \d+ s/);
    expect(lines[1]).toContain(`; the 6 URLs of the input are in ${fallback} (send them with: kscrape produce ${fallback})`);
    const saved = readFileSync(fallback, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as UrlEnvelope);
    expect(saved.map((e) => e.url).sort()).toEqual(pagesOf(a.origin, 'a', 6).sort());
    const prefix = `${uniqueName('smu')}.`;
    await withAdmin((admin) => admin.createTopics({ topics: [{ topic: `${prefix}urls`, numPartitions: 2, replicationFactor: 1 }] }));
    const replay = await runCli(['--brokers', testBrokers(), '--topic-prefix', prefix, 'produce', fallback, '--json', '--fallback', join(dir, 'unsent-again.jsonl')], { timeoutMs: 90_000 });
    expect({ code: replay.code, stderr: replay.stderr }).toMatchObject({ code: 0 });
    expect(JSON.parse(replay.stdout)).toMatchObject({ delivered: 6, failed: 0, rejected: 0 });
  }, 120_000);

  test('a broker that stops mid-run: the rest lands in the fallback file, produce\'s exit code, the file replays', async () => {
    const stateDir = join(dir, 'broker');
    let broker = await startBroker({ stateDir, freePorts: true, heapMb: 384 });
    try {
      const create = (brokers: string) => withAdmin((admin) => admin.createTopics({ topics: [{ topic: 'urls', numPartitions: 2, replicationFactor: 1 }] }), brokers);
      await create(broker.brokers);
      const fallback = join(dir, 'fallback.jsonl');
      const requested = new Promise<void>((r) => { lateRequested = r; });
      const cli = startCli(['--brokers', broker.brokers, 'sitemap', `${a.origin}/index.xml`, '--allow-private', '--host-delay', '0',
        '--produce', '--json', '--fallback', fallback, '--txn-max-ms', '100ms', '--flush-timeout', '5s', '-X', 'reconnect.backoff.max.ms=500']);
      cli.end();
      // The early child's URLs are committed; the late child is being asked for when the broker goes.
      await requested;
      expect(await readBack('urls', 6, 15_000, { 'isolation.level': 'read_committed' }, broker.brokers)).toHaveLength(5);
      await stopBroker(stateDir, 10_000);
      releaseLate();
      const r = await cli.done;
      expect(r.code).toBe(1);
      const summary = JSON.parse(r.stdout) as Summary;
      expect(summary).toMatchObject({ urls: 10, produce: { delivered: 5, failed: 5, fallback_file: fallback }, exit_code: 1 });
      const kept = readFileSync(fallback, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as UrlEnvelope);
      expect(kept.map((e) => e.url).sort()).toEqual(pagesOf(a.origin, 'late', 5).sort());

      broker = await startBroker({ stateDir, freePorts: true, heapMb: 384 });
      await create(broker.brokers);
      const replay = await runCli(['produce', fallback, '--brokers', broker.brokers, '--json', '--fallback', join(dir, 'again.jsonl')], { timeoutMs: 90_000 });
      expect(replay.code).toBe(0);
      expect(JSON.parse(replay.stdout)).toMatchObject({ delivered: 5, failed: 0, rejected: 0, fallback_file: null });
      const replayed = (await readBack('urls', 5, 60_000, {}, broker.brokers)).map((m) => JSON.parse(m.value!) as UrlEnvelope);
      expect(replayed.map((e) => e.url).sort()).toEqual(pagesOf(a.origin, 'late', 5).sort());
    } finally {
      await stopBroker(stateDir, 5_000);
    }
  }, 300_000);
});
