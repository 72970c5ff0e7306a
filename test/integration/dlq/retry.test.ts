/**
 * `kscrape dlq retry` on the real broker: exactly the due records come back (partitioned as produce would,
 * attempt + 1), records behind a not-yet-due one wait, parked after max attempts, malformed records parked, no
 * loss when the process is SIGKILLed mid-run, pause/resume in continuous mode, graceful SIGTERM.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import type { DlqRecord, ErrorRecord, UrlEnvelope } from '../../../src/records/index.js';
import { murmur2Partition } from '../../../src/partition/murmur2.js';
import { runCli } from '../../helpers/cli.js';
import { testBrokers, uniqueName } from '../../helpers/env.js';
import { produceRaw, readBack, withAdmin } from '../../helpers/kafka.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const URL_PARTITIONS = 4;

async function createTopics(prefix: string, dlqPartitions: number): Promise<void> {
  await withAdmin((admin) => admin.createTopics({ topics: [
    { topic: `${prefix}dlq`, numPartitions: dlqPartitions, replicationFactor: 1 },
    { topic: `${prefix}urls`, numPartitions: URL_PARTITIONS, replicationFactor: 1 },
    { topic: `${prefix}dlq.parked`, numPartitions: 1, replicationFactor: 1 },
  ] }));
}

function dlqRecord(n: string, ageMs: number, attempts: number, now: number): DlqRecord {
  const host = `${n}.example`;
  return {
    original: { url: `https://${host}/page`, host, customer_id: `cust-${n}`, priority: 7, discovered_at: now - 10 * HOUR, attempt: attempts - 1 },
    error: 'HTTP 503', status: 503, failed_at: now - ageMs, attempts, worker: 'w1',
  };
}

async function committed(group: string, topic: string): Promise<Record<number, number>> {
  const offsets = await withAdmin((admin) => admin.fetchOffsets({ groupId: group, topics: [topic] }));
  return Object.fromEntries((offsets[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
}

async function highWatermark(topic: string): Promise<number> {
  const offsets = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
  return offsets.reduce((s, o) => s + Number(o.high), 0);
}

const BIN = fileURLToPath(new URL('../../../bin/kscrape', import.meta.url));

function spawnCli(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('kscrape dlq retry on the real broker', () => {
  test('--once: exactly the due records come back; a young record blocks (and protects) its partition; parking', async () => {
    const prefix = `${uniqueName('dlq')}.`;
    await createTopics(prefix, 2);
    const now = Date.now();
    await produceRaw(`${prefix}dlq`, [
      { partition: 0, key: 'a', value: JSON.stringify(dlqRecord('a', 2 * HOUR, 1, now)) },
      { partition: 0, key: 'b', value: JSON.stringify(dlqRecord('b', 3 * HOUR, 2, now)) },
      { partition: 0, key: 'junk', value: 'not json {' },
      { partition: 0, key: 'c', value: JSON.stringify(dlqRecord('c', 9 * HOUR, 5, now)) },
      { partition: 0, key: 'young', value: JSON.stringify(dlqRecord('young', 10 * MIN, 1, now)) },
      { partition: 0, key: 'behind', value: JSON.stringify(dlqRecord('behind', 2 * HOUR, 1, now)) },
      { partition: 1, key: 'd', value: JSON.stringify(dlqRecord('d', 61 * MIN, 1, now)) },
      { partition: 1, key: 'e', value: JSON.stringify(dlqRecord('e', 5 * HOUR, 3, now)) },
    ]);
    const group = uniqueName('retry');
    const args = ['--brokers', testBrokers(), '--topic-prefix', prefix, 'dlq', 'retry', '--once', '--group', group, '--json'];

    const dry = await runCli([...args, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout.trim().split('\n').at(-1)).toContain('"re_emitted":4');
    expect(await committed(group, `${prefix}dlq`)).toEqual({});

    const first = await runCli(args);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(first.stdout)).toMatchObject({ re_emitted: 4, parked: { 'max-attempts': 1, malformed: 1 }, waiting: [{ partition: 0, offset: 4 }] });

    const urls = await readBack(`${prefix}urls`, 4, 10_000);
    const envelopes = urls.map((m) => ({ ...(JSON.parse(m.value!) as UrlEnvelope), key: m.key, partition: m.partition }));
    expect(envelopes.map((e) => e.host).sort()).toEqual(['a.example', 'b.example', 'd.example', 'e.example']);
    for (const e of envelopes) {
      expect(e.key).toBe(e.host);
      expect(e.partition).toBe(murmur2Partition(e.host, URL_PARTITIONS));
      expect(e.customer_id).toBe(`cust-${e.host[0]}`);
      expect(e.priority).toBe(7);
    }
    expect(Object.fromEntries(envelopes.map((e) => [e.host, e.attempt]))).toEqual({ 'a.example': 1, 'b.example': 2, 'd.example': 1, 'e.example': 3 });

    const parked = (await readBack(`${prefix}dlq.parked`, 2, 10_000)).map((m) => JSON.parse(m.value!) as ErrorRecord);
    expect(parked.map((p) => p.reason).sort()).toEqual(['malformed', 'max-attempts']);
    expect(parked.find((p) => p.reason === 'max-attempts')!.url).toBe('https://c.example/page');
    expect(parked.find((p) => p.reason === 'malformed')!.original).toBe('not json {');

    // Committed up to the young record on partition 0, everything on partition 1.
    expect(await committed(group, `${prefix}dlq`)).toEqual({ 0: 4, 1: 2 });

    // Nothing new is due: a second run re-emits nothing and commits nothing more.
    const second = await runCli(args);
    expect(JSON.parse(second.stdout)).toMatchObject({ re_emitted: 0, waiting: [{ partition: 0, offset: 4 }] });
    expect(await highWatermark(`${prefix}urls`)).toBe(4);

    // A shorter cool-down makes the young record due: it and the one behind it come back.
    const third = await runCli([...args, '--cooldown', '5m']);
    expect(JSON.parse(third.stdout)).toMatchObject({ re_emitted: 2, waiting: [] });
    expect(await committed(group, `${prefix}dlq`)).toEqual({ 0: 6, 1: 2 });
  });

  test("Retry-After: a record is due at the later of the cool-down and the server's retry_after_at", async () => {
    const prefix = `${uniqueName('dlqra')}.`;
    await createTopics(prefix, 3);
    const now = Date.now();
    // Each on its own partition so a waiting one does not hold back the others.
    await produceRaw(`${prefix}dlq`, [
      // Cool-down (1 h) long over, but the server asked for 2 h from now: waits.
      { partition: 0, value: JSON.stringify({ ...dlqRecord('later', 5 * HOUR, 1, now), retry_after_at: now + 2 * HOUR }) },
      // Cool-down over and the server's time passed too: due.
      { partition: 1, value: JSON.stringify({ ...dlqRecord('passed', 5 * HOUR, 1, now), retry_after_at: now - MIN }) },
      // A short Retry-After does not shorten the cool-down: 10 min old, server said 1 min: waits.
      { partition: 2, value: JSON.stringify({ ...dlqRecord('short', 10 * MIN, 1, now), retry_after_at: now - 9 * MIN }) },
    ]);
    const args = ['--brokers', testBrokers(), '--topic-prefix', prefix, 'dlq', 'retry', '--once', '--json', '--group', uniqueName('g')];
    const r = await runCli(args);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const summary = JSON.parse(r.stdout) as { re_emitted: number; waiting: { partition: number; due_at: number }[] };
    expect(summary.re_emitted).toBe(1);
    expect(Object.fromEntries(summary.waiting.map((w) => [w.partition, w.due_at]))).toEqual({ 0: now + 2 * HOUR, 2: now - 10 * MIN + HOUR });
    const urls = await readBack(`${prefix}urls`, 1, 10_000);
    expect(urls.map((m) => (JSON.parse(m.value!) as UrlEnvelope).host)).toEqual(['passed.example']);
    // With no cool-down at all, the server's time still holds the first one back.
    const again = JSON.parse((await runCli([...args, '--cooldown', '0s'])).stdout) as typeof summary;
    expect({ re_emitted: again.re_emitted, waiting: again.waiting.map((w) => w.partition) }).toEqual({ re_emitted: 1, waiting: [0] });
  });

  test('--backoff exponential doubles the cool-down per attempt made', async () => {
    const prefix = `${uniqueName('dlqx')}.`;
    await createTopics(prefix, 2);
    const now = Date.now();
    // attempt 3 needs 4 × 1h: at 3h old it is not due; attempt 1 at 3h old is.
    await produceRaw(`${prefix}dlq`, [
      { partition: 0, value: JSON.stringify(dlqRecord('x', 3 * HOUR, 3, now)) },
      { partition: 1, value: JSON.stringify(dlqRecord('y', 3 * HOUR, 1, now)) },
    ]);
    const r = await runCli(['--brokers', testBrokers(), '--topic-prefix', prefix, 'dlq', 'retry', '--once', '--json', '--backoff', 'exponential', '--group', uniqueName('g')]);
    expect(JSON.parse(r.stdout)).toMatchObject({ re_emitted: 1, waiting: [{ partition: 0, offset: 0 }] });
  });

  test('SIGKILL in the middle of a run loses nothing: a restart re-emits every remaining record', async () => {
    const prefix = `${uniqueName('dlqk')}.`;
    await createTopics(prefix, 2);
    const now = Date.now();
    const total = 4000;
    const records = Array.from({ length: total }, (_, i) => ({ partition: i % 2, value: JSON.stringify(dlqRecord(`h${i}`, 2 * HOUR, 1, now)) }));
    for (let i = 0; i < total; i += 1000) await produceRaw(`${prefix}dlq`, records.slice(i, i + 1000));
    const group = uniqueName('retry');
    // The killed member stays in the group until its session times out; keep that short so the restart joins soon.
    const args = ['--brokers', testBrokers(), '-X', 'session.timeout.ms=6000', '--topic-prefix', prefix, 'dlq', 'retry', '--group', group];

    const run = spawnCli(args);
    await until('the first re-emits', async () => (await highWatermark(`${prefix}urls`)) > 0);
    run.child.kill('SIGKILL');
    await run.exited;
    const atKill = await highWatermark(`${prefix}urls`);
    // The kill must land mid-run for this test to mean anything.
    expect(atKill).toBeLessThan(total);

    const rest = await runCli([...args, '--once', '--json'], { timeoutMs: 60_000 });
    expect({ code: rest.code, stderr: rest.stderr }).toEqual({ code: 0, stderr: '' });
    expect(await committed(group, `${prefix}dlq`)).toEqual({ 0: total / 2, 1: total / 2 });
    const urls = await readBack(`${prefix}urls`, total + 5_000, 20_000);
    const hosts = new Set(urls.map((m) => (JSON.parse(m.value!) as UrlEnvelope).host));
    expect(hosts.size).toBe(total);
    // At least once: only records delivered but not yet committed at the kill may come twice (at most a batch or two).
    expect(urls.length - total).toBeLessThan(200);
  }, 90_000);

  test('continuous mode: a paused partition resumes when its record is due; SIGTERM stops cleanly', async () => {
    const prefix = `${uniqueName('dlqc')}.`;
    await createTopics(prefix, 1);
    const now = Date.now();
    await produceRaw(`${prefix}dlq`, [
      { value: JSON.stringify(dlqRecord('old', HOUR, 1, now)) },
      { value: JSON.stringify(dlqRecord('soon', 0, 1, now)) },
      { value: JSON.stringify(dlqRecord('later', 0, 1, now + 60 * MIN)) },
    ]);
    const group = uniqueName('retry');
    const run = spawnCli(['--brokers', testBrokers(), '--topic-prefix', prefix, 'dlq', 'retry', '--group', group, '--cooldown', '3s']);
    await until('the old record', async () => (await highWatermark(`${prefix}urls`)) >= 1);
    await until('the record due after 3 s', async () => (await highWatermark(`${prefix}urls`)) >= 2, 20_000);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(await highWatermark(`${prefix}urls`)).toBe(2);
    expect(await committed(group, `${prefix}dlq`)).toEqual({ 0: 2 });
  }, 60_000);
});
