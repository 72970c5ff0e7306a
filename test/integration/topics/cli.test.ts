import { describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runCli } from '../../helpers/cli.js';
import { testBrokers, uniqueName } from '../../helpers/env.js';
import { withAdmin } from '../../helpers/kafka.js';
import { ensureKafkaJars } from '../../../scripts/stack/kafka-jars.js';
import { openTopicConfigs } from '../../../src/topics/configs.js';
import { createLogger } from '../../../src/log.js';

const run = promisify(execFile);
const DAY = 86_400_000;

/** Kafka's own TopicCommand --describe: the reference for what the cluster really holds, configs included. */
async function topicCommandDescribe(topicRegex: string): Promise<Map<string, { partitions: number; rf: number; configs: Record<string, string> }>> {
  const { dir } = await ensureKafkaJars();
  const { stdout } = await run('java', ['-Xmx256m', '-cp', `${dir}/*`, 'org.apache.kafka.tools.TopicCommand',
    '--bootstrap-server', testBrokers(), '--describe', '--topic', topicRegex], { maxBuffer: 8 << 20 });
  const out = new Map<string, { partitions: number; rf: number; configs: Record<string, string> }>();
  for (const line of stdout.split('\n')) {
    const m = /^Topic: (\S+)\tTopicId: \S+\tPartitionCount: (\d+)\tReplicationFactor: (\d+)\tConfigs: ?(.*)$/.exec(line);
    if (!m) continue;
    const configs = Object.fromEntries(m[4]!.split(',').filter(Boolean).map((kv) => kv.split('=') as [string, string]));
    out.set(m[1]!, { partitions: Number(m[2]), rf: Number(m[3]), configs });
  }
  return out;
}

/** Kafka's own ConfigCommand (org.apache.kafka.tools.ConfigCommand in 4.x): a topic's effective configs (--all) or changes. */
async function configCommand(args: string[]): Promise<string> {
  const { dir } = await ensureKafkaJars();
  const { stdout } = await run('java', ['-Xmx256m', '-cp', `${dir}/*`, 'org.apache.kafka.tools.ConfigCommand',
    '--bootstrap-server', testBrokers(), '--entity-type', 'topics', ...args], { maxBuffer: 8 << 20 });
  return stdout;
}

async function effectiveConfigs(topic: string): Promise<Record<string, string>> {
  const out = await configCommand(['--entity-name', topic, '--describe', '--all']);
  return Object.fromEntries([...out.matchAll(/^ {2}([a-z0-9.]+)=(\S*) sensitive=/gm)].map((m) => [m[1]!, m[2]!]));
}

const cli = (prefix: string, args: string[]) => runCli(['--brokers', testBrokers(), '--topic-prefix', prefix, 'topics', ...args], { timeoutMs: 60_000 });
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('kscrape topics (real broker; Kafka TopicCommand as the reference)', () => {
  test('create makes the standard set with partitions, retention, lz4 and pages max.message.bytes; TopicCommand agrees', async () => {
    const prefix = `${uniqueName('tc')}.`;
    const r = await cli(prefix, ['create', '--partitions', 'urls=7', '--retention', 'dlq=60d']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`created +${escapeRe(prefix)}urls +7 partitions, rf 1`));
    const described = await topicCommandDescribe(`${escapeRe(prefix)}.*`);
    const want: Record<string, [number, number]> = {
      urls: [7, 7], pages: [20, 14], extractions: [20, 30], errors: [5, 7], dlq: [5, 60], metrics: [10, 1], 'dlq.parked': [5, 30],
    };
    expect([...described.keys()].sort()).toEqual(Object.keys(want).map((n) => `${prefix}${n}`).sort());
    for (const [name, [partitions, days]] of Object.entries(want)) {
      const t = described.get(`${prefix}${name}`)!;
      expect({ name, partitions: t.partitions, rf: t.rf, retention: Number(t.configs['retention.ms']) / DAY, compression: t.configs['compression.type'] })
        .toEqual({ name, partitions, rf: 1, retention: days, compression: 'lz4' });
    }
    expect(described.get(`${prefix}pages`)!.configs['max.message.bytes']).toBe(String(4 * 1024 * 1024));

    // describe/list report what the broker holds, configs included, as Kafka's ConfigCommand does.
    const d = await cli(prefix, ['describe', '--json']);
    expect(d.code).toBe(0);
    expect(d.stderr).toBe('');
    const infos = JSON.parse(d.stdout) as { topic: string; partitions: number; replicationFactor: number; retentionMs: number; compression: string; maxMessageBytes: number; messages: number }[];
    expect(infos).toHaveLength(7);
    for (const info of infos.filter((i) => ['urls', 'pages', 'dlq'].some((n) => i.topic === `${prefix}${n}`))) {
      const reference = await effectiveConfigs(info.topic);
      expect({ topic: info.topic, retentionMs: info.retentionMs, compression: info.compression, maxMessageBytes: info.maxMessageBytes }).toEqual({
        topic: info.topic, retentionMs: Number(reference['retention.ms']), compression: reference['compression.type'], maxMessageBytes: Number(reference['max.message.bytes']),
      });
    }
    expect(infos.find((i) => i.topic === `${prefix}dlq`)).toMatchObject({ partitions: 5, replicationFactor: 1, retentionMs: 60 * DAY, compression: 'lz4', messages: 0 });
    expect(infos.find((i) => i.topic === `${prefix}pages`)).toMatchObject({ maxMessageBytes: 4 * 1024 * 1024 });
    const list = await cli(prefix, ['list']);
    expect(list.stdout).toMatch(new RegExp(`^${escapeRe(prefix)}urls\\t7\\t1\\t7\\.0d\\tlz4\\t0\\t1\\tok$`, 'm'));
    expect(list.stdout).toMatch(new RegExp(`^${escapeRe(prefix)}dlq\\t5\\t1\\t60\\.0d\\tlz4\\t0\\t1\\tok$`, 'm'));
    expect(list.stdout).not.toMatch(/n\/a/);

    // Running it twice is safe: everything is reported as existing with its verified configs, exit 0.
    const again = await cli(prefix, ['create', '--partitions', 'urls=7', '--retention', 'dlq=60d']);
    expect(again.code).toBe(0);
    expect(again.stdout.match(/^ {2}exists /gm)).toHaveLength(7);
    expect(again.stdout).toMatch(new RegExp(`exists +${escapeRe(prefix)}dlq +5 partitions, rf 1, retention.ms=60.0d compression.type=lz4 min.insync.replicas=1\n`));
    expect(again.stdout).not.toMatch(/not verified/);
  });

  test('another retention/compression/max.message.bytes (set with ConfigCommand) exits 1; --fix repairs only those; ConfigCommand agrees', async () => {
    const prefix = `${uniqueName('tcfg')}.`;
    expect((await cli(prefix, ['create'])).code).toBe(0);
    await configCommand(['--entity-name', `${prefix}urls`, '--alter', '--add-config', 'retention.ms=3600000,compression.type=gzip,cleanup.policy=compact']);
    await configCommand(['--entity-name', `${prefix}pages`, '--alter', '--delete-config', 'max.message.bytes']);

    const mismatch = await cli(prefix, ['create']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toMatch(new RegExp(`MISMATCH +${escapeRe(prefix)}urls +50 partitions, rf 1, retention.ms=1.0h compression.type=gzip min.insync.replicas=1\n`));
    expect(mismatch.stdout).toContain('retention.ms: want 7.0d, have 1.0h (run with --fix)');
    expect(mismatch.stdout).toContain('compression.type: want lz4, have gzip (run with --fix)');
    expect(mismatch.stdout).toContain('max.message.bytes: want 4194304, have 1048588 (run with --fix)');
    expect(mismatch.stdout).toMatch(/^2 topic\(s\) differ from the plan/m);

    const dry = await cli(prefix, ['create', '--fix', '--dry-run', '--json']);
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    const plan = JSON.parse(dry.stdout) as { topics: { desired: { topic: string }; action: string; applied: string[] }[] };
    expect(plan.topics.find((t) => t.desired.topic === `${prefix}urls`)).toMatchObject({ action: 'would-fix', applied: ['retention.ms 1.0h → 7.0d', 'compression.type gzip → lz4'] });
    expect((await effectiveConfigs(`${prefix}urls`))['retention.ms']).toBe('3600000');

    const fixed = await cli(prefix, ['create', '--fix']);
    expect(fixed).toMatchObject({ code: 0, stderr: '' });
    expect(fixed.stdout).toMatch(new RegExp(`fixed +${escapeRe(prefix)}urls +50 partitions, rf 1, retention.ms=7.0d compression.type=lz4 min.insync.replicas=1\n`));
    expect(fixed.stdout).toMatch(new RegExp(`fixed +${escapeRe(prefix)}pages .*max.message.bytes=4194304\n`));
    const urls = await effectiveConfigs(`${prefix}urls`);
    // Incremental: the config kscrape does not manage (cleanup.policy) is kept.
    expect([urls['retention.ms'], urls['compression.type'], urls['cleanup.policy']]).toEqual([String(7 * DAY), 'lz4', 'compact']);
    expect((await effectiveConfigs(`${prefix}pages`))['max.message.bytes']).toBe(String(4 * 1024 * 1024));

    const after = await cli(prefix, ['describe', 'urls', 'pages', '--json']);
    expect((JSON.parse(after.stdout) as { retentionMs: number; compression: string; maxMessageBytes: number }[]).map((i) => [i.retentionMs, i.compression, i.maxMessageBytes]))
      .toEqual([[7 * DAY, 'lz4', 1048588], [14 * DAY, 'lz4', 4 * 1024 * 1024]]);
    expect((await cli(prefix, ['create'])).code).toBe(0);
  });

  test('the config module on its own: describe and incremental alter agree with ConfigCommand', async () => {
    const topic = uniqueName('tmod');
    await withAdmin((admin) => admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'compression.type', value: 'zstd' }] }] }));
    const configs = openTopicConfigs({ config: { 'bootstrap.servers': testBrokers() }, logger: createLogger({ level: 'quiet' }), timeoutMs: 10_000 });
    try {
      const before = (await configs.describeTopicConfigs([topic])).get(topic)!;
      const reference = await effectiveConfigs(topic);
      for (const key of ['retention.ms', 'compression.type', 'max.message.bytes', 'cleanup.policy', 'segment.bytes']) expect([key, before.get(key)]).toEqual([key, reference[key]]);
      expect(before.get('compression.type')).toBe('zstd');

      await configs.alterTopicConfigs(topic, { 'retention.ms': '7200000' });
      const after = await effectiveConfigs(topic);
      expect([after['retention.ms'], after['compression.type']]).toEqual(['7200000', 'zstd']);
      expect((await configs.describeTopicConfigs([topic], ['retention.ms'])).get(topic)).toEqual(new Map([['retention.ms', '7200000']]));

      await expect(configs.describeTopicConfigs([`${topic}-missing`])).rejects.toThrow(/cannot read configs of 1 topic\(s\): .*topic/i);
      await expect(configs.alterTopicConfigs(topic, { 'retention.ms': 'soon' })).rejects.toThrow(/cannot alter configs of/);
    } finally {
      await configs.close();
    }
  });

  test('a partition mismatch exits 1; --dry-run --fix changes nothing; --fix adds the partitions', async () => {
    const prefix = `${uniqueName('tm')}.`;
    expect((await cli(prefix, ['create', '--partitions', 'urls=3'])).code).toBe(0);
    const mismatch = await cli(prefix, ['create', '--partitions', 'urls=6']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toMatch(/MISMATCH +\S+urls +3 partitions/);
    expect(mismatch.stdout).toMatch(/partitions: want 6, have 3 \(run with --fix\)/);

    const dry = await cli(prefix, ['create', '--partitions', 'urls=6', '--fix', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/would fix +\S+urls/);
    expect((await topicCommandDescribe(`${escapeRe(prefix)}urls`)).get(`${prefix}urls`)!.partitions).toBe(3);

    const fixed = await cli(prefix, ['create', '--partitions', 'urls=6', '--fix']);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/fixed +\S+urls +6 partitions/);
    expect((await topicCommandDescribe(`${escapeRe(prefix)}urls`)).get(`${prefix}urls`)!.partitions).toBe(6);
  });

  test('--dry-run creates nothing and prints the plan; bad flags are usage errors', async () => {
    const prefix = `${uniqueName('td')}.`;
    const r = await cli(prefix, ['create', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { dryRun: boolean; topics: { action: string }[] };
    expect(plan.dryRun).toBe(true);
    expect(plan.topics.map((t) => t.action)).toEqual(new Array(7).fill('would-create'));
    const names = await withAdmin((admin) => admin.listTopics());
    expect(names.filter((n) => n.startsWith(prefix))).toEqual([]);

    for (const args of [['create', '--partitions', 'nosuch=3'], ['create', '--retention', 'dlq=soon'], ['create', '--replication-factor', '3']]) {
      const bad = await cli(prefix, args);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    }
    const missing = await cli(prefix, ['describe', 'urls']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such topic/);
  });
});
