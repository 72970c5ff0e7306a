import { createAdmin, createConsumer, createProducer, type Admin } from '../../src/kafka/index.js';
import { createLogger } from '../../src/log.js';
import { testBrokers, uniqueName } from './env.js';

const quiet = createLogger({ level: 'quiet' });
/** Client config for the suite's broker, or for `brokers` (a test's private one). */
export const baseConfig = (brokers = testBrokers()) => ({ 'bootstrap.servers': brokers });

export async function withAdmin<T>(fn: (admin: Admin) => Promise<T>, brokers?: string): Promise<T> {
  const admin = createAdmin({ config: baseConfig(brokers), logger: quiet });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Creates a topic with a unique name and returns that name. */
export async function createTestTopic(prefix: string, partitions = 1, configEntries: { name: string; value: string }[] = []): Promise<string> {
  const topic = uniqueName(prefix);
  await withAdmin((admin) => admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1, configEntries }] }));
  return topic;
}

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  timestamp: string;
}

/**
 * Reads a topic from the beginning until `count` messages arrived or `timeoutMs` passed, with a group of its own.
 * Returns what it got, so a test can assert on a short read instead of hanging.
 */
export async function readBack(topic: string, count: number, timeoutMs = 20_000, extra: Record<string, string> = {}, brokers?: string): Promise<ReadMessage[]> {
  const consumer = createConsumer({ config: baseConfig(brokers), logger: quiet }, {
    'group.id': uniqueName('readback'), 'auto.offset.reset': 'earliest', 'enable.auto.commit': false, ...extra,
  });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          messages.push({
            partition, offset: message.offset, timestamp: message.timestamp,
            key: message.key ? message.key.toString() : null,
            value: message.value ? message.value.toString() : null,
          });
          if (messages.length >= count) { clearTimeout(timer); resolve(); }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

export async function produceRaw(topic: string, messages: { key?: string; value: string; partition?: number }[]): Promise<void> {
  const producer = createProducer({ config: baseConfig(), logger: quiet }, { 'linger.ms': 5 });
  await producer.connect();
  try {
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}

/** Reads every message of a topic up to its current high watermarks. */
export async function readAll(topic: string, timeoutMs = 20_000): Promise<ReadMessage[]> {
  const offsets = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
  const total = offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  return total === 0 ? [] : readBack(topic, total, timeoutMs);
}

/** Messages ever written to a topic: the sum of its partitions' high watermarks. */
export async function highWatermarkTotal(topic: string, brokers?: string): Promise<number> {
  return withAdmin(async (admin) => (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0), brokers);
}
