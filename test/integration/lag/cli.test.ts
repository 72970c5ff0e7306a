/**
 * `kscrape lag` against the real broker: the same figures as Kafka's own ConsumerGroupCommand --describe for the
 * same (stable: committed offsets, no live member) group, lag in time from record timestamps, and exit codes.
 */
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from '@jest/globals';
import KafkaJavascript from '@confluentinc/kafka-javascript';
import { ensureKafkaJars } from '../../../scripts/stack/kafka-jars.js';
import { runCli } from '../../helpers/cli.js';
import { testBrokers, uniqueName } from '../../helpers/env.js';
import { createTestTopic, produceRaw } from '../../helpers/kafka.js';

const run = promisify(execFile);
const HOUR = 3_600_000;

/** Commits offsets for a group without joining it (a "simple" group: committed offsets, no member). */
async function commitAsSimpleConsumer(group: string, offsets: { topic: string; partition: number; offset: number }[]): Promise<void> {
  const c = new KafkaJavascript.KafkaConsumer({ 'bootstrap.servers': testBrokers(), 'group.id': group, 'enable.auto.commit': false }, {});
  await new Promise<void>((resolve, reject) => c.connect({ timeout: 10_000 }, (err) => (err ? reject(err) : resolve())));
  try {
    c.commitSync(offsets);
  } finally {
    await new Promise<void>((resolve) => c.disconnect(() => resolve()));
  }
}

/** Runs `kscrape <args>` (a --watch --json run) until `count` reports arrived (or it exited), then SIGINT. */
async function watchReports<T>(args: string[], count: number): Promise<{ reports: T[]; arrivals: number[]; exited: number | null }> {
  const bin = fileURLToPath(new URL('../../../bin/kscrape', import.meta.url));
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const reports: T[] = [];
  const arrivals: number[] = [];
  let buffer = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const l of lines) if (l.trim()) { reports.push(JSON.parse(l) as T); arrivals.push(Date.now()); }
      if (reports.length >= count) resolve();
    });
    void exited.then(() => resolve());
  });
  child.kill('SIGINT');
  return { reports, arrivals, exited: await exited };
}

interface Row { topic: string; partition: number; current: string; logEnd: string; lag: string; consumer: string }

function parseDescribe(stdout: string): Row[] {
  return stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 9 && f[0] !== 'GROUP').map((f) => ({
    topic: f[1]!, partition: Number(f[2]), current: f[3]!, logEnd: f[4]!, lag: f[5]!, consumer: f[6]!,
  })).sort((a, b) => a.partition - b.partition);
}

describe('kscrape lag on the real broker', () => {
  let topic: string;
  let group: string;
  let lagArgs: string[];
  const now = Date.now();

  beforeAll(async () => {
    topic = await createTestTopic('lag', 3);
    group = uniqueName('lag-group');
    // Partition p gets 10 records; record i is (10 - i) hours old, so the age at offset o is known exactly.
    const messages = [];
    for (let p = 0; p < 3; p++) {
      for (let i = 0; i < 10; i++) messages.push({ partition: p, value: `r${i}`, timestamp: String(now - (10 - i) * HOUR) });
    }
    await produceRaw(topic, messages as never);
    // p0 caught up, p1 at offset 4 (lag 6, oldest unconsumed 6 h old), p2 at 8 (lag 2, 2 h old).
    await commitAsSimpleConsumer(group, [{ topic, partition: 0, offset: 10 }, { topic, partition: 1, offset: 4 }, { topic, partition: 2, offset: 8 }]);
    lagArgs = ['--brokers', testBrokers(), 'lag', '--group', group];
  });

  test('same figures as kafka-consumer-groups --describe, plus the age of the oldest unconsumed record', async () => {
    const { dir } = await ensureKafkaJars();
    const [ours, theirs] = await Promise.all([
      runCli([...lagArgs, '--json']),
      run('java', ['-cp', `${dir}/*`, 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', '--bootstrap-server', testBrokers(), '--describe', '--group', group]),
    ]);
    expect(ours.code).toBe(0);
    const report = JSON.parse(ours.stdout) as { groups: { lag: number; max_lag_ms: number; partitions: { topic: string; partition: number; current_offset: number | null; log_end_offset: number; lag: number | null; lag_ms: number | null; consumer_id: string | null }[] }[] };
    const kafkaRows = parseDescribe(theirs.stdout);
    expect(kafkaRows).toHaveLength(3);
    const ourRows = report.groups[0]!.partitions.map((p) => ({
      topic: p.topic, partition: p.partition, current: String(p.current_offset ?? '-'), logEnd: String(p.log_end_offset), lag: String(p.lag ?? '-'), consumer: p.consumer_id ?? '-',
    }));
    expect(ourRows).toEqual(kafkaRows);
    expect(report.groups[0]!.lag).toBe(8);
    const ages = report.groups[0]!.partitions.map((p) => p.lag_ms);
    expect(ages[0]).toBe(0);
    // The age is measured when the CLI runs, a little after `now`: between the exact age and a minute more.
    expect(ages[1]).toBeGreaterThanOrEqual(6 * HOUR);
    expect(ages[1]).toBeLessThan(6 * HOUR + 60_000);
    expect(ages[2]).toBeGreaterThanOrEqual(2 * HOUR);
    expect(report.groups[0]!.max_lag_ms).toBe(ages[1]);
  });

  test('human output off a terminal: aligned columns (the describe ones, then LAG-TIME) and per-topic totals', async () => {
    const r = await runCli(lagArgs);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').map((l) => l.trim().split(/\s+/));
    expect(rows[0]).toEqual(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'LAG-TIME', 'CONSUMER-ID', 'HOST', 'CLIENT-ID']);
    expect(rows[2]).toEqual([group, topic, '1', '4', '10', '6', '6.0h', '-', '-', '-']);
    expect(rows[4]).toEqual([group, topic, 'total', '-', '-', '8', '6.0h', '-', '-', '-']);
    expect(r.stdout).not.toContain('│');
  });

  test('piped output (issue #18, 7): rows only on stdout, all alike, one format per unit; the summary on stderr', async () => {
    const r = await runCli(lagArgs);
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split('\n').map((l) => l.trim().split(/\s+/));
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(row).toHaveLength(10);
    // The caught-up partition's age is written as the total's is (`0ms`), not `0`.
    expect(rows[1]).toEqual([group, topic, '0', '10', '10', '0', '0ms', '-', '-', '-']);
    expect(r.stdout).not.toMatch(/state |^OK/m);
    expect(r.stderr).toContain(`${group}  state Empty, 0 members, lag 8, oldest unconsumed 6.0h`);
    expect(r.stderr.split('\n')).toContain('OK');
  });

  test.each([
    [['--max-lag', '100'], 0],
    [['--max-lag', '9'], 1],
    [['--max-lag', '9', '--warn-lag', '7'], 1],
    [['--max-lag', '100', '--warn-lag', '8'], 0],
    [['--max-lag', '7'], 2],
    [['--max-lag-time', '8h'], 0],
    [['--max-lag-time', '7h'], 1],
    [['--max-lag-time', '30m'], 2],
    [['--max-lag', '100', '--max-lag-time', '30m'], 2],
  ])('limits %j → exit %i', async (flags, code) => {
    const r = await runCli([...lagArgs, ...flags]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code, stderr: expect.any(String) });
  });

  test('a partition whose workers finished every record of a transactional produce has lag 0, not its commit marker', async () => {
    const txTopic = await createTestTopic('lag-txn', 1);
    const txGroup = uniqueName('lag-txn-group');
    const produced = await runCli(['--brokers', testBrokers(), 'produce', '-', '--topic', txTopic, '-q'], { input: 'http://a.test/1\nhttp://a.test/2\nhttp://a.test/3\n' });
    expect(produced.code).toBe(0);
    // Records at offsets 0-2, the transaction's commit marker at 3: a worker that finished them commits 3.
    await commitAsSimpleConsumer(txGroup, [{ topic: txTopic, partition: 0, offset: 3 }]);
    const r = await runCli(['--brokers', testBrokers(), 'lag', '--group', txGroup, '--json']);
    const report = JSON.parse(r.stdout) as { groups: { lag: number | null; partitions: { lag: number | null; current_offset: number | null; log_end_offset: number | null }[] }[] };
    expect(report.groups[0]!.partitions[0]).toMatchObject({ lag: 0, current_offset: 3, log_end_offset: 4 });
    expect(report.groups[0]!.lag).toBe(0);
    expect(r.code).toBe(0);
  });

  test('a group that does not exist is UNKNOWN (3), never a silent 0', async () => {
    const r = await runCli(['--brokers', testBrokers(), 'lag', '--group', uniqueName('nobody'), '--max-lag', '10']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('does not exist');
  });

  test('a group that does not exist has no lag figure: null in --json, "-" in the table (issue #18, 3)', async () => {
    const name = uniqueName('nobody');
    const json = await runCli(['--brokers', testBrokers(), 'lag', '--group', name, '--json']);
    expect(json.code).toBe(3);
    expect((JSON.parse(json.stdout) as { groups: { lag: number | null }[] }).groups[0]!.lag).toBeNull();
    const table = await runCli(['--brokers', testBrokers(), 'lag', '--group', name]);
    expect(table.code).toBe(3);
    expect(`${table.stdout}${table.stderr}`).toMatch(/lag -, /);
    expect(`${table.stdout}${table.stderr}`).not.toMatch(/lag 0\b/);
  });

  test('usage errors exit 3 (UNKNOWN), not 2 (CRITICAL)', async () => {
    expect((await runCli(['--brokers', testBrokers(), 'lag'])).code).toBe(3);
    expect((await runCli(['--brokers', testBrokers(), 'lag', '--group', group, '--bogus'])).code).toBe(3);
    const bad = await runCli(['--brokers', testBrokers(), 'lag', '--group', group, '--max-lag-time', 'soon']);
    expect(bad.code).toBe(3);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('an unreachable cluster is UNKNOWN (3)', async () => {
    const r = await runCli(['--brokers', '127.0.0.1:1', 'lag', '--group', group, '--timeout', '2s']);
    expect(r.code).toBe(3);
  });

  test('--watch: one JSON report per interval with rates and status; SIGINT ends it with the last exit code', async () => {
    type Report = { exit_code: number; groups: { partitions: { partition: number; status?: string; consumed_per_sec?: number | null }[] }[] };
    const { reports, exited } = await watchReports<Report>([...lagArgs, '--watch', '300ms', '--json', '--max-lag', '100'], 3);
    expect(exited).toBe(0);
    expect(reports.length).toBeGreaterThanOrEqual(3);
    const last = reports[2]!.groups[0]!.partitions;
    // Nobody owns these partitions and nothing moves: the lagging ones are STOP, the caught-up one OK.
    expect(last.map((p) => p.status)).toEqual(['OK', 'STOP', 'STOP']);
    expect(last[1]!.consumed_per_sec).toBe(0);
    expect(reports[0]!.groups[0]!.partitions[1]!.status).toBe('…');
  });

  test('--watch redraws at its interval and every report carries the lag in time (issue #18, 1)', async () => {
    type Report = { at: string; groups: { partitions: { lag_ms: number | null }[] }[] };
    const { reports, arrivals } = await watchReports<Report>([...lagArgs, '--watch', '1s', '--timeout', '3s', '--json'], 4);
    expect(reports.length).toBeGreaterThanOrEqual(4);
    for (const r of reports.slice(0, 4)) {
      const ages = r.groups[0]!.partitions.map((p) => p.lag_ms);
      expect(ages[1]).toBeGreaterThanOrEqual(6 * HOUR);
      expect(ages[2]).toBeGreaterThanOrEqual(2 * HOUR);
    }
    // Reports 2..4 come about one interval apart (not interval + timestamp deadline).
    for (let i = 1; i < 4; i++) expect(arrivals[i]! - arrivals[i - 1]!).toBeLessThan(1_900);
  });

  test('--all-groups includes a group with no live members', async () => {
    const r = await runCli(['--brokers', testBrokers(), 'lag', '--all-groups', '--json', '--no-time']);
    const groups = (JSON.parse(r.stdout) as { groups: { group: string; state: string }[] }).groups;
    expect(groups.find((g) => g.group === group)).toMatchObject({ state: 'Empty' });
  });
});
