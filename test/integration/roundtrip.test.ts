import { describe, expect, test } from '@jest/globals';
import { createProducer } from '../../src/kafka/clients.js';
import { resolveGlobalOptions } from '../../src/context/global-context.js';
import { createLogger } from '../../src/log.js';
import { createTestTopic, readBack, withAdmin } from '../helpers/kafka.js';
import { testBrokers } from '../helpers/env.js';

describe('round trip through the real broker', () => {
  test('the producer built from the global options delivers keyed lz4 messages that read back intact', async () => {
    const topic = await createTestTopic('roundtrip', 3, [{ name: 'compression.type', value: 'lz4' }]);
    const ctx = resolveGlobalOptions({ brokers: testBrokers() }, {}, createLogger({ level: 'quiet' }));
    const config = ctx.kafkaConfig('producer');
    expect(config['compression.type']).toBe('lz4');
    expect(config['enable.idempotence']).toBe(true);

    const producer = createProducer({ config, logger: ctx.logger });
    await producer.connect();
    const sent = Array.from({ length: 300 }, (_, i) => ({ key: `host-${i % 7}.example`, value: JSON.stringify({ i, url: `https://host-${i % 7}.example/p/${i}` }), partition: i % 3 }));
    const reports = await producer.send({ topic, messages: sent });
    await producer.disconnect();
    expect(reports.every((r) => r.errorCode === 0)).toBe(true);

    const got = await readBack(topic, sent.length);
    expect(got).toHaveLength(sent.length);
    const byI = new Map(got.map((m) => [JSON.parse(m.value ?? '{}').i as number, m]));
    for (const [i, m] of sent.entries()) {
      expect(byI.get(i)?.key).toBe(m.key);
      expect(byI.get(i)?.partition).toBe(m.partition);
    }

    const offsets = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
    expect(offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)).toBe(sent.length);
  });
});
