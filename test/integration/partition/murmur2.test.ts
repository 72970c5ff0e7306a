import { describe, expect, test } from '@jest/globals';
import { createProducer } from '../../../src/kafka/clients.js';
import { createLogger } from '../../../src/log.js';
import { hostPartition } from '../../../src/partition/partitioner.js';
import { baseConfig, createTestTopic, readBack } from '../../helpers/kafka.js';

describe('host partitioner vs librdkafka murmur2_random (real broker)', () => {
  test('for 2000 hosts, the partition librdkafka picks for the key equals hostPartition(host, n)', async () => {
    const partitions = 13;
    const topic = await createTestTopic('murmur2', partitions);
    const hosts = Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? `shop-${i}.example.co.uk` : i % 3 === 1 ? `xn--bcher-kva-${i}.example` : `h${i}.example.com:8443`));
    const producer = createProducer({ config: baseConfig(), logger: createLogger({ level: 'quiet' }) }, { partitioner: 'murmur2_random', 'linger.ms': 5 });
    await producer.connect();
    try {
      // No partition on the messages: librdkafka's own partitioner decides.
      await producer.send({ topic, messages: hosts.map((host) => ({ key: host, value: host })) });
    } finally {
      await producer.disconnect();
    }
    const messages = await readBack(topic, hosts.length, 30_000);
    expect(messages).toHaveLength(hosts.length);
    const wrong = messages.filter((m) => m.partition !== hostPartition(m.key!, partitions));
    expect(wrong).toEqual([]);
    // The test can fail: the hosts really do spread over every partition.
    expect(new Set(messages.map((m) => m.partition)).size).toBe(partitions);
  });
});
