import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveGlobalOptions } from '../../../src/context/global-context.js';
import {
  CLIENT_ROLES, DELIVERY_TIMEOUT_MS, ROLE_DEFAULTS, assignedReaderConfig, bulkProducerConfig, bulkProducerSettings, describeRoleDefaults, produceTransactionTimeoutMs, produceTransactionalId,
  dlqRetryConsumerSettings, dlqRetryProducerSettings, sinkConsumerConfig, transactionalProducerConfig, workerConsumerConfig, workerProducerConfig,
} from '../../../src/kafka/client-configs.js';
import { clearRegisteredSecrets, scrubSecrets } from '../../../src/redact.js';
import { createLogger } from '../../../src/log.js';

const quiet = createLogger({ level: 'quiet' });
const dir = mkdtempSync(join(tmpdir(), 'kscrape-client-configs-'));
const file = join(dir, 'client.properties');
writeFileSync(file, [
  'bootstrap.servers=file:9092', 'security.protocol=SASL_SSL', 'sasl.mechanism=PLAIN',
  'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="KEY" password="file-secret-99";',
  'linger.ms=77', 'session.timeout.ms=45000',
].join('\n'));

afterEach(() => clearRegisteredSecrets());

const COMMON = { 'client.id': 'kscrape', 'allow.auto.create.topics': false };
const PRODUCER = {
  ...COMMON, acks: 'all', 'enable.idempotence': true, 'compression.type': 'lz4', 'linger.ms': 10,
  'message.send.max.retries': 10, 'delivery.timeout.ms': 120000, 'bootstrap.servers': '127.0.0.1:9092',
};
const CONSUMER = {
  ...COMMON, 'enable.auto.commit': false, 'auto.offset.reset': 'earliest', 'session.timeout.ms': 30000,
  'max.poll.interval.ms': 600000, 'bootstrap.servers': '127.0.0.1:9092',
};
const ADMIN = { ...COMMON, 'bootstrap.servers': '127.0.0.1:9092' };
const SIZES = { maxRecordBytes: 1_000_000, maxPendingBytes: 8_000_000 };

describe('one delivery timeout', () => {
  test('every producer role default uses DELIVERY_TIMEOUT_MS, 2 minutes', () => {
    expect(DELIVERY_TIMEOUT_MS).toBe(120_000);
    expect(ROLE_DEFAULTS.producer['delivery.timeout.ms']).toBe(DELIVERY_TIMEOUT_MS);
  });

  test('help texts read the role defaults', () => {
    expect(describeRoleDefaults('producer')).toBe(
      'acks=all, enable.idempotence=true, compression.type=lz4, linger.ms=10, message.send.max.retries=10, delivery.timeout.ms=120000');
    expect(CLIENT_ROLES).toEqual(['producer', 'consumer', 'admin']);
  });
});

describe('each client kind, with nothing given', () => {
  const ctx = resolveGlobalOptions({}, {}, quiet);

  test('the three roles', () => {
    expect(ctx.kafkaConfig('producer')).toEqual(PRODUCER);
    expect(ctx.kafkaConfig('consumer')).toEqual(CONSUMER);
    expect(ctx.kafkaConfig('admin')).toEqual(ADMIN);
  });

  test('bulk producer: the producer role, --flush-timeout replacing both delivery timeout aliases', () => {
    expect(bulkProducerConfig(ctx, undefined)).toEqual(PRODUCER);
    expect(bulkProducerConfig(ctx, 5_000)).toEqual({ ...PRODUCER, 'delivery.timeout.ms': 5_000 });
    const aliased = resolveGlobalOptions({ property: ['message.timeout.ms=9000'] }, {}, quiet);
    expect(bulkProducerConfig(aliased, undefined)).toEqual({ ...PRODUCER, 'message.timeout.ms': '9000' });
    expect(bulkProducerConfig(aliased, 4_000)).toEqual({ ...PRODUCER, 'delivery.timeout.ms': 4_000 });
    // Since issue 18 the bulk producer is transactional: the same three settings plus its transaction's.
    expect(bulkProducerSettings(50_000, { id: 't-1', timeoutMs: 70_000 })).toEqual({
      'queue.buffering.max.messages': 50_000, 'delivery.report.only.error': true, dr_msg_cb: true,
      'transactional.id': 't-1', 'transaction.timeout.ms': 70_000, 'enable.idempotence': true,
    });
  });

  test("produce's transaction: a unique id per run, a timeout covering its sending and its commit", () => {
    expect(produceTransactionalId('dev.', 'box', 42, 'ab12')).toBe('dev.kscrape-produce-box-42-ab12');
    // settleBoundMs (3 s delivery + 30 s request + 5 s) + 1 s of sending + 10 s margin; -X wins.
    expect(produceTransactionTimeoutMs({ 'delivery.timeout.ms': 3_000 }, 1_000)).toBe(3_000 + 30_000 + 5_000 + 1_000 + 10_000);
    expect(produceTransactionTimeoutMs({ 'transaction.timeout.ms': '90000' }, 1_000)).toBe(90_000);
  });

  test('worker results producer and the transactional one', () => {
    const worker = {
      ...PRODUCER, 'delivery.timeout.ms': 30_000, 'request.timeout.ms': 15_000, 'message.max.bytes': 1_000_000 + 65_536,
      'queue.buffering.max.kbytes': Math.ceil((3 * 8_000_000 + 1_000_000) / 1024),
    };
    expect(workerProducerConfig(ctx, SIZES)).toEqual(worker);
    expect(transactionalProducerConfig(ctx, { ...SIZES, group: 'g1' }, 'w7')).toEqual({
      ...worker, 'transactional.id': 'kscrape-work-g1-w7', 'transaction.timeout.ms': 60_000,
    });
    const prefixed = resolveGlobalOptions({ topicPrefix: 'p1.' }, {}, quiet);
    expect(transactionalProducerConfig(prefixed, { ...SIZES, group: 'g1' }, 'w7')['transactional.id']).toBe('p1.kscrape-work-g1-w7');
  });

  test('worker consumer: classic cooperative-sticky, or KIP-848 without the settings the broker owns', () => {
    expect(workerConsumerConfig(ctx, 'classic')).toEqual({ ...CONSUMER, 'partition.assignment.strategy': 'cooperative-sticky' });
    const { 'session.timeout.ms': _owned, ...rest } = CONSUMER;
    expect(workerConsumerConfig(ctx, 'consumer')).toEqual({ ...rest, 'group.protocol': 'consumer' });
  });

  test('dlq retry producer (plain and --eos) and consumer', () => {
    const producer = ctx.kafkaConfig('producer');
    expect(dlqRetryProducerSettings(producer, undefined)).toEqual({});
    expect(dlqRetryProducerSettings(producer, 'tx-1')).toEqual({ 'transactional.id': 'tx-1', 'transaction.timeout.ms': 120_000, 'enable.idempotence': true });
    expect(dlqRetryProducerSettings({ 'delivery.timeout.ms': 20_000 }, 'tx-1')['transaction.timeout.ms']).toBe(60_000);
    expect(dlqRetryProducerSettings({ 'message.timeout.ms': '90000' }, 'tx-1')['transaction.timeout.ms']).toBe(90_000);
    expect(dlqRetryProducerSettings({}, 'tx-1')['transaction.timeout.ms']).toBe(DELIVERY_TIMEOUT_MS);
    expect(dlqRetryConsumerSettings('retry-g')).toEqual({ 'group.id': 'retry-g', 'enable.auto.commit': false, 'isolation.level': 'read_committed' });
  });
});

describe('precedence: role default < client-config file < brokers flag/env < -X', () => {
  test('the file beats role defaults; env beats the file for brokers; the flag beats env', () => {
    const fromFile = resolveGlobalOptions({ clientConfig: file }, {}, quiet);
    expect(fromFile.kafkaConfig('producer')).toEqual({
      ...PRODUCER, 'bootstrap.servers': 'file:9092', 'security.protocol': 'SASL_SSL', 'sasl.mechanisms': 'PLAIN',
      'sasl.username': 'KEY', 'sasl.password': 'file-secret-99', 'linger.ms': '77', 'session.timeout.ms': '45000',
    });
    expect(fromFile.kafkaConfig('consumer')['session.timeout.ms']).toBe('45000');
    const fromEnv = resolveGlobalOptions({ clientConfig: file }, { KSCRAPE_BROKERS: 'env:9092' }, quiet);
    expect(fromEnv.kafkaConfig('admin')['bootstrap.servers']).toBe('env:9092');
    const fromFlag = resolveGlobalOptions({ clientConfig: file, brokers: 'flag:9092' }, { KSCRAPE_BROKERS: 'env:9092' }, quiet);
    expect(fromFlag.kafkaConfig('consumer')['bootstrap.servers']).toBe('flag:9092');
  });

  test('-X beats everything, also each client own settings where the client re-applies it', () => {
    const ctx = resolveGlobalOptions({
      clientConfig: file, brokers: 'flag:9092',
      property: ['bootstrap.servers=x:1', 'linger.ms=5', 'delivery.timeout.ms=7000', 'session.timeout.ms=11000', 'transaction.timeout.ms=99000'],
    }, {}, quiet);
    expect(ctx.kafkaConfig('producer')['bootstrap.servers']).toBe('x:1');
    expect(ctx.kafkaConfig('producer')['linger.ms']).toBe('5');
    expect(workerProducerConfig(ctx, SIZES)['delivery.timeout.ms']).toBe('7000');
    expect(transactionalProducerConfig(ctx, { ...SIZES, group: 'g' }, 'w')['transaction.timeout.ms']).toBe('99000');
    // KIP-848 drops session.timeout.ms unless -X asked for it.
    expect(workerConsumerConfig(ctx, 'consumer')['session.timeout.ms']).toBe('11000');
    expect(bulkProducerConfig(ctx, 3_000)['delivery.timeout.ms']).toBe(3_000);
  });

  test('secrets of every layer are registered for redaction', () => {
    const ctx = resolveGlobalOptions({ clientConfig: file, property: ['sasl.oauthbearer.client.secret=x-secret-42'] }, {}, quiet);
    ctx.kafkaConfig('producer');
    expect(scrubSecrets('file-secret-99 and x-secret-42')).toBe('[redacted] and [redacted]');
  });
});

describe('the readers and the --eos worker consumer', () => {
  test('assign-only reader: no group timeouts, nothing committed, its own extras last', () => {
    const ctx = resolveGlobalOptions({ property: ['enable.partition.eof=false'] }, {}, quiet);
    const { 'session.timeout.ms': _s, 'max.poll.interval.ms': _m, ...rest } = CONSUMER;
    expect(assignedReaderConfig(ctx.kafkaConfig('consumer'), undefined)).toEqual({
      ...rest, 'group.id': 'kscrape-assigned-reader', 'enable.auto.commit': false, 'enable.auto.offset.store': false, 'enable.partition.eof': true,
    });
    expect(assignedReaderConfig(CONSUMER, { 'fetch.max.bytes': 1_048_576, 'enable.auto.commit': true })).toMatchObject({ 'fetch.max.bytes': 1_048_576, 'enable.auto.commit': true });
  });

  test('--eos: read_committed, even over -X', () => {
    const ctx = resolveGlobalOptions({ property: ['isolation.level=read_uncommitted'] }, {}, quiet);
    expect(workerConsumerConfig(ctx, 'classic', true)['isolation.level']).toBe('read_committed');
    expect(workerConsumerConfig(ctx, 'consumer', true)).toMatchObject({ 'group.protocol': 'consumer', 'isolation.level': 'read_committed' });
    expect(workerConsumerConfig(ctx, 'classic')['isolation.level']).toBe('read_uncommitted');
  });

  test('the sink consumer: read_committed whatever -X says, bigger client batches unless -X sets them', () => {
    const plain = resolveGlobalOptions({}, {}, quiet);
    expect(sinkConsumerConfig(plain, 'classic')).toMatchObject({ 'isolation.level': 'read_committed', 'js.consumer.max.batch.size': 1000, 'partition.assignment.strategy': 'cooperative-sticky' });
    const x = resolveGlobalOptions({ property: ['isolation.level=read_uncommitted', 'js.consumer.max.batch.size=200'] }, {}, quiet);
    expect(sinkConsumerConfig(x, 'classic')).toMatchObject({ 'isolation.level': 'read_committed', 'js.consumer.max.batch.size': '200' });
  });

  test('the sink bounds the client prefetch per partition and its JavaScript cache, and -X still wins', () => {
    const plain = resolveGlobalOptions({}, {}, quiet);
    expect(sinkConsumerConfig(plain, 'classic')).toMatchObject({ 'queued.max.messages.kbytes': 1024, 'fetch.max.bytes': 2097152, 'js.consumer.max.cache.size.per.worker.ms': 100, 'fetch.queue.backoff.ms': 10 });
    const x = resolveGlobalOptions({ property: ['queued.max.messages.kbytes=65536'] }, {}, quiet);
    expect(sinkConsumerConfig(x, 'classic')).toMatchObject({ 'queued.max.messages.kbytes': '65536', 'fetch.max.bytes': 2097152 });
  });
});
