import { describe, expect, test } from '@jest/globals';
import {
  PAGES_MAX_MESSAGE_BYTES, STANDARD_TOPICS, defaultMinInsyncReplicas, defaultReplicationFactor, diffTopic, diffTopics, parsePartitionOverrides,
  parseRetentionOverrides, planTopics, showConfig, topicNameOf, configChanges, type ExistingTopic,
} from '../../../src/topics/plan.js';
import { renderCreateResult, renderTopicInfos } from '../../../src/topics/render.js';
import { UserError } from '../../../src/errors.js';

const DAY = 86_400_000;

describe('planTopics', () => {
  test('the standard set from the reference guide, lz4 everywhere, plus dlq.parked', () => {
    const plan = planTopics({ prefix: '', brokerCount: 5 });
    const byName = Object.fromEntries(plan.map((d) => [d.topic, [d.partitions, Number(d.configs['retention.ms']) / DAY]]));
    expect(byName).toEqual({
      urls: [50, 7], pages: [20, 14], extractions: [20, 30], errors: [5, 7], dlq: [5, 30], metrics: [10, 1], 'dlq.parked': [5, 30],
    });
    expect(plan.every((d) => d.configs['compression.type'] === 'lz4' && d.replicationFactor === 3)).toBe(true);
    expect(plan.find((d) => d.name === 'pages')!.configs['max.message.bytes']).toBe(String(PAGES_MAX_MESSAGE_BYTES));
    expect(plan.filter((d) => d.configs['max.message.bytes'] !== undefined)).toHaveLength(1);
  });

  test('prefix, overrides and replication factor', () => {
    const plan = planTopics({
      prefix: 'staging.', brokerCount: 1, partitions: { urls: 200 }, retentionMs: { dlq: 60 * DAY }, pagesMaxMessageBytes: 8 << 20,
    });
    const urls = plan.find((d) => d.name === 'urls')!;
    expect(urls).toMatchObject({ topic: 'staging.urls', partitions: 200, replicationFactor: 1 });
    expect(plan.find((d) => d.name === 'dlq')!.configs['retention.ms']).toBe(String(60 * DAY));
    expect(plan.find((d) => d.name === 'dlqParked')!.topic).toBe('staging.dlq.parked');
    expect(plan.find((d) => d.name === 'pages')!.configs['max.message.bytes']).toBe(String(8 << 20));
    expect(planTopics({ prefix: '', brokerCount: 1, replicationFactor: 2 })[0]!.replicationFactor).toBe(2);
  });

  test('min.insync.replicas: 2 on every topic from replication factor 3, 1 below; --min-insync-replicas never above the replication factor', () => {
    const minIsr = (input: Parameters<typeof planTopics>[0]) => [...new Set(planTopics(input).map((d) => d.configs['min.insync.replicas']))];
    expect(minIsr({ prefix: '', brokerCount: 3 })).toEqual(['2']);
    expect(minIsr({ prefix: '', brokerCount: 5 })).toEqual(['2']);
    expect(minIsr({ prefix: '', brokerCount: 2 })).toEqual(['1']);
    expect(minIsr({ prefix: '', brokerCount: 1 })).toEqual(['1']);
    expect(minIsr({ prefix: '', brokerCount: 5, minInsyncReplicas: 3 })).toEqual(['3']);
    expect(() => planTopics({ prefix: '', brokerCount: 3, minInsyncReplicas: 4 })).toThrow(UserError);
    expect(() => planTopics({ prefix: '', brokerCount: 3, replicationFactor: 1, minInsyncReplicas: 2 })).toThrow(/above the replication factor 1/);
    expect([1, 2, 3, 4].map(defaultMinInsyncReplicas)).toEqual([1, 1, 2, 2]);
  });

  test('a topic whose min.insync.replicas differs is a mismatch --fix sets', () => {
    const [urls] = planTopics({ prefix: '', brokerCount: 3 });
    const configs = { ...urls!.configs, 'min.insync.replicas': '1' };
    const diff = diffTopic(urls!, { topic: 'urls', partitions: 50, replicationFactor: 3, configs });
    expect(diff.status).toBe('mismatch');
    expect(diff.differences).toEqual([{ field: 'min.insync.replicas', want: '2', have: '1', fixable: true }]);
    expect(configChanges(diff)).toEqual({ 'min.insync.replicas': '2' });
  });

  test('default replication factor: 3, or the broker count when smaller', () => {
    expect([1, 2, 3, 9].map(defaultReplicationFactor)).toEqual([1, 2, 3, 3]);
    expect(defaultReplicationFactor(0)).toBe(1);
  });
});

describe('override flags', () => {
  test('topic=value, by topic name or key; last one wins', () => {
    expect(parsePartitionOverrides(['urls=200', 'dlq.parked=3', 'urls=100'])).toEqual({ urls: 100, dlqParked: 3 });
    expect(parseRetentionOverrides(['dlq=60d', 'metrics=12h'])).toEqual({ dlq: 60 * DAY, metrics: 12 * 3_600_000 });
    expect(topicNameOf('dlqParked', '--x')).toBe('dlqParked');
  });

  test('bad input is a UserError naming the flag', () => {
    expect(() => parsePartitionOverrides(['urls'])).toThrow(/--partitions expects topic=value/);
    expect(() => parsePartitionOverrides(['nosuch=3'])).toThrow(/unknown topic 'nosuch'/);
    expect(() => parsePartitionOverrides(['urls=0'])).toThrow(UserError);
    expect(() => parseRetentionOverrides(['dlq=soon'])).toThrow(/--retention dlq/);
  });
});

describe('diffTopic', () => {
  const [urls] = planTopics({ prefix: 't.', brokerCount: 1 });
  const existing = (over: Partial<ExistingTopic>): ExistingTopic => ({ topic: 't.urls', partitions: 50, replicationFactor: 1, configs: null, ...over });

  test('missing → create', () => {
    expect(diffTopic(urls!, null).status).toBe('create');
  });

  test('same partitions and replication, configs not readable → ok, configs unverified', () => {
    const d = diffTopic(urls!, existing({}));
    expect(d.status).toBe('ok');
    expect(d.unverified).toEqual(['retention.ms', 'compression.type', 'min.insync.replicas']);
    expect(configChanges(d)).toEqual({});
  });

  test('same partitions, replication and configs → ok, nothing unverified', () => {
    const d = diffTopic(urls!, existing({ configs: { 'retention.ms': String(7 * DAY), 'compression.type': 'lz4', 'max.message.bytes': '1048588', 'min.insync.replicas': '1' } }));
    expect(d).toMatchObject({ status: 'ok', differences: [], unverified: [] });
  });

  test('fewer partitions → mismatch, fixable; urls warns that hosts move', () => {
    const d = diffTopic(urls!, existing({ partitions: 10 }));
    expect(d.status).toBe('mismatch');
    expect(d.differences).toEqual([expect.objectContaining({ field: 'partitions', want: '50', have: '10', fixable: true, note: expect.stringMatching(/hosts/) })]);
  });

  test('more partitions than planned → ok with a note (Kafka cannot remove partitions)', () => {
    const d = diffTopic(urls!, existing({ partitions: 200 }));
    expect(d.status).toBe('ok');
    expect(d.notes[0]).toMatch(/200 partitions/);
  });

  test('other replication factor → mismatch, not fixable', () => {
    const d = diffTopic(urls!, existing({ replicationFactor: 3 }));
    expect(d.differences).toEqual([expect.objectContaining({ field: 'replication', fixable: false })]);
  });

  test('another retention or compression is a fixable mismatch; retention shown as a duration', () => {
    const d = diffTopic(urls!, existing({ configs: { 'retention.ms': String(DAY), 'compression.type': 'gzip', 'min.insync.replicas': '1' } }));
    expect(d.status).toBe('mismatch');
    expect(d.differences).toEqual([
      { field: 'retention.ms', want: '7.0d', have: '1.0d', fixable: true },
      { field: 'compression.type', want: 'lz4', have: 'gzip', fixable: true },
    ]);
    expect(d.unverified).toEqual([]);
    // --fix sets the raw desired values, not the rounded text.
    expect(configChanges(d)).toEqual({ 'retention.ms': String(7 * DAY), 'compression.type': 'lz4' });
  });

  test('pages: another max.message.bytes and partitions together; configChanges leaves partitions out', () => {
    const pages = planTopics({ prefix: 't.', brokerCount: 1 }).find((p) => p.name === 'pages')!;
    const d = diffTopic(pages, existing({ topic: 't.pages', partitions: 4, configs: { 'retention.ms': String(14 * DAY), 'compression.type': 'lz4', 'max.message.bytes': '1048588', 'min.insync.replicas': '1' } }));
    expect(d.differences.map((x) => [x.field, x.want, x.have, x.fixable])).toEqual([['partitions', '20', '4', true], ['max.message.bytes', '4194304', '1048588', true]]);
    expect(configChanges(d)).toEqual({ 'max.message.bytes': String(PAGES_MAX_MESSAGE_BYTES) });
  });

  test('a retention that rounds to the same duration shows raw milliseconds; a missing one shows (none); -1 is forever', () => {
    const d = diffTopic(urls!, existing({ configs: { 'retention.ms': String(7 * DAY + 1), 'compression.type': 'lz4', 'min.insync.replicas': '1' } }));
    expect(d.differences).toEqual([{ field: 'retention.ms', want: String(7 * DAY), have: String(7 * DAY + 1), fixable: true }]);
    const missing = diffTopic(urls!, existing({ configs: { 'compression.type': 'lz4', 'min.insync.replicas': '1' } }));
    expect(missing.differences).toEqual([{ field: 'retention.ms', want: '7.0d', have: '(none)', fixable: true }]);
    expect(showConfig('retention.ms', '-1')).toBe('forever');
    expect(showConfig('compression.type', 'lz4')).toBe('lz4');
  });

  test('diffTopics matches by full name', () => {
    const diffs = diffTopics(planTopics({ prefix: 't.', brokerCount: 1 }), new Map([['t.urls', existing({})]]));
    expect(diffs.map((d) => d.status)).toEqual(['ok', 'create', 'create', 'create', 'create', 'create', 'create']);
    expect(Object.keys(STANDARD_TOPICS)).toHaveLength(7);
  });
});

describe('rendering', () => {
  test('create result: one line per topic with action and the differences', () => {
    const plan = planTopics({ prefix: '', brokerCount: 1 });
    const urlsDiff = diffTopic(plan[0]!, { topic: 'urls', partitions: 10, replicationFactor: 1, configs: null });
    const text = renderCreateResult({
      dryRun: false, brokers: 1, replicationFactor: 1, minInsyncReplicas: 1, mismatches: 1,
      topics: [{ ...urlsDiff, action: 'mismatch', applied: [] }, { ...diffTopic(plan[1]!, null), action: 'created', applied: [] }],
    }, '127.0.0.1:9092');
    expect(text).toMatch(/MISMATCH +urls +10 partitions, rf 1/);
    expect(text).toMatch(/partitions: want 50, have 10 \(run with --fix\)/);
    expect(text).toMatch(/created +pages +20 partitions, rf 1, retention.ms=14.0d compression.type=lz4 min.insync.replicas=1 max.message.bytes=4194304/);
    expect(text).toContain('1 existing topic(s) not verified (they could not be read with these Kafka settings');
    expect(text).toContain('\n  kafka-configs.sh --bootstrap-server 127.0.0.1:9092 --describe --entity-type topics --entity-name urls\n');
  });

  test('create result: existing topics show their configs; config differences say --fix', () => {
    const [urls] = planTopics({ prefix: '', brokerCount: 1 });
    const diff = diffTopic(urls!, { topic: 'urls', partitions: 50, replicationFactor: 1, configs: { 'retention.ms': String(DAY), 'compression.type': 'lz4' } });
    const text = renderCreateResult({ dryRun: false, brokers: 1, replicationFactor: 1, minInsyncReplicas: 1, mismatches: 1, topics: [{ ...diff, action: 'mismatch', applied: [] }] }, 'b:9092');
    expect(text).toMatch(/MISMATCH +urls +50 partitions, rf 1, retention.ms=1.0d compression.type=lz4\n/);
    expect(text).toContain('retention.ms: want 7.0d, have 1.0d (run with --fix)');
    expect(text).toContain('--fix adds missing partitions and sets configs');
    expect(text).not.toContain('not verified');
  });

  test('topic table: real retention and compression; n/a with a footnote only for unreadable configs', () => {
    const healthy = { offline: [], underReplicated: [], underMinIsr: [] };
    const row = { exists: true, partitions: 50, replicationFactor: 1, messages: 12, maxMessageBytes: 1048588, minInsyncReplicas: 1, replicaHealth: healthy };
    const text = renderTopicInfos([
      { topic: 'urls', ...row, retentionMs: 7 * DAY, compression: 'lz4' },
      { topic: 'keep', ...row, retentionMs: -1, compression: 'producer' },
      { topic: 'dlq', exists: false, partitions: 0, replicationFactor: 0, messages: 0, retentionMs: null, compression: null, maxMessageBytes: null, minInsyncReplicas: null, replicaHealth: healthy },
    ], false);
    expect(text.split('\n').slice(1, 3)).toEqual(['urls\t50\t1\t7.0d\tlz4\t12\t1\tok', 'keep\t50\t1\tforever\tproducer\t12\t1\tok']);
    expect(text).toMatch(/^dlq\tmissing/m);
    expect(text).not.toMatch(/could not be read/);
    const unreadable = renderTopicInfos([{ topic: 'urls', ...row, retentionMs: null, compression: null, maxMessageBytes: null, minInsyncReplicas: null }], false);
    expect(unreadable.split('\n')[1]).toBe('urls\t50\t1\tn/a*\tn/a*\t12\tn/a*\tok');
    expect(unreadable).toMatch(/could not be read with these Kafka settings/);
    expect(renderTopicInfos([], true)).toMatch(/topic/);
  });
});
