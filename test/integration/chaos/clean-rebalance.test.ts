/**
 * A clean rebalance hands partitions over without a single duplicate fetch: two workers started at the same
 * moment on a fresh group (the initial rebalance), a worker joining a running one, and a worker leaving on
 * SIGTERM. In each, the partitions that move were committed up to what their old owner finished, its in-flight
 * fetches finished (within the revoke bound) before the commit, and its queued URLs were dropped uncommitted, so
 * the new owner starts exactly where the old one stopped. Duplicates are counted exactly twice: outcomes beyond one
 * per URL (the audit) and requests beyond one per URL (the targets' own count). Crashes stay at-least-once and are
 * the chaos worker-kill scenario's business, not this file's.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { auditPipeline, formatAudit } from '../../helpers/audit.js';
import { testBrokers, uniqueName } from '../../helpers/env.js';
import { createPipeline, produceUrls, readGroupOffsets, startKscrape, stopKscrape, waitFor, type KscrapeProcess } from '../../helpers/chaos.js';
import { startTargetProcess, type TargetProcess } from '../../helpers/http-targets.js';

const ADDRESSES = Array.from({ length: 16 }, (_, i) => `127.0.9.${i + 1}`);
const URLS = 600;
let targets: TargetProcess;
const started: KscrapeProcess[] = [];

// Hosts at different speeds share each partition (16 hosts on 4 partitions): URLs finish out of order, so at any
// moment each partition has finished URLs above its lowest unfinished one, as on any real crawl.
beforeAll(async () => { targets = await startTargetProcess(ADDRESSES, { '/c': { delayMs: 30 }, '/slow': { delayMs: 900 } }); });
const pathOf = (i: number) => (i % ADDRESSES.length < 4 ? '/slow' : '/c');
afterAll(async () => {
  for (const p of started) await stopKscrape(p, 'SIGKILL');
  await targets.close();
});

/** 12 fast hosts × 4 requests/s and 4 slow ones: a 600-URL run takes 15–20 s, long enough for a join or a leave in its middle. */
function worker(group: string, pipeline: { env: Record<string, string> }, extra: string[] = []): KscrapeProcess {
  const w = startKscrape(['work', '--group', group, '--allow-cidr', '127.0.9.0/24', '--host-delay', '250ms',
    '--status-interval', '5s', '--shutdown-timeout', '10s', '--verbose', ...extra], pipeline.env);
  started.push(w);
  return w;
}

const owns = (w: KscrapeProcess) => w.lines.some((l) => /^debug: assigned partitions \d/.test(l.text));

async function scenario(name: string, run: (ctx: { group: string; pipeline: Awaited<ReturnType<typeof createPipeline>> }) => Promise<KscrapeProcess[]>): Promise<void> {
  const pipeline = await createPipeline(testBrokers(), 4);
  const urls = Array.from({ length: URLS }, (_, i) => `${targets.origins[i % ADDRESSES.length]}${pathOf(i)}?${name.replace(/\W+/g, '-')}=${i}`);
  await produceUrls(pipeline, urls);
  const group = uniqueName('clean');
  const requestCount = async () => (await targets.count('/c')) + (await targets.count('/slow'));
  const before = await requestCount();
  const workers = await run({ group, pipeline });
  await waitFor('every URL committed', async () => ((await readGroupOffsets(testBrokers(), group, `${pipeline.prefix}urls`))?.committed ?? 0) >= URLS, 180_000, 1_000);
  for (const w of workers) expect((await stopKscrape(w, 'SIGTERM')).code).toBe(0);
  for (const w of workers) for (const l of w.lines) if (/^(warn|error)/.test(l.text)) process.stderr.write(`[clean rebalance] ${name}: worker ${w.child.pid}: ${l.text}\n`);
  const requests = (await requestCount()) - before;
  const report = await auditPipeline({ brokers: testBrokers(), prefix: pipeline.prefix, expected: urls });
  process.stderr.write(`${formatAudit(`clean rebalance: ${name}`, report)}\n[clean rebalance] ${name}: ${requests - URLS} duplicate requests, ${report.duplicates} duplicate outcomes of ${URLS} URLs\n`);
  expect(report.lost).toEqual([]);
  expect({ duplicateOutcomes: report.duplicates, duplicateRequests: requests - URLS }).toEqual({ duplicateOutcomes: 0, duplicateRequests: 0 });
}

/** Waits until the group has committed at least `n` URLs. */
const committedAtLeast = (group: string, prefix: string, n: number) =>
  waitFor(`${n} URLs committed`, async () => ((await readGroupOffsets(testBrokers(), group, `${prefix}urls`))?.committed ?? 0) >= n, 120_000, 300);

describe('clean rebalances hand over without duplicates (single broker)', () => {
  test('two workers started at the same moment on a fresh group', async () => {
    await scenario('started together', async ({ group, pipeline }) => [worker(group, pipeline), worker(group, pipeline)]);
  }, 300_000);

  test('a worker joins a running one', async () => {
    await scenario('join', async ({ group, pipeline }) => {
      const first = worker(group, pipeline);
      await waitFor('the first worker owns partitions', () => owns(first), 60_000);
      await committedAtLeast(group, pipeline.prefix, URLS / 4);
      const second = worker(group, pipeline);
      await waitFor('the second worker owns partitions', () => owns(second), 60_000);
      return [first, second];
    });
  }, 300_000);

  test('a worker leaves on SIGTERM', async () => {
    await scenario('leave', async ({ group, pipeline }) => {
      const [first, second] = [worker(group, pipeline), worker(group, pipeline)];
      await waitFor('both workers own partitions', () => owns(first!) && owns(second!), 60_000);
      await committedAtLeast(group, pipeline.prefix, URLS / 3);
      expect((await stopKscrape(second!, 'SIGTERM')).code).toBe(0);
      return [first!];
    });
  }, 300_000);
});
