/**
 * Factories for the three client kinds on the promisified API of @confluentinc/kafka-javascript.
 * Raw librdkafka keys go at the top level; the `kafkaJS` block carries only our logger, so the client's
 * own INFO lines (which it would otherwise print to stdout) land in our stderr log at debug level.
 */
import { readFileSync } from 'node:fs';
import { KafkaJS, RdKafka } from '@confluentinc/kafka-javascript';
import type { Admin as ConfigsAdmin } from '@platformatic/kafka';
import { configAdminOptions } from './config-admin-options.js';
import type { Logger } from '../log.js';
import { redactConfig } from '../redact.js';
import type { KafkaConfig } from './config.js';

export type Producer = KafkaJS.Producer;
export type Consumer = KafkaJS.Consumer;
export type Admin = KafkaJS.Admin;

function clientLogger(logger: Logger, name: string): KafkaJS.Logger {
  const line = (level: string) => (message: string, extra?: object) =>
    logger.debug(`[${name} ${level}] ${message}${extra && 'fac' in extra ? ` (${String((extra as { fac: unknown }).fac)})` : ''}`);
  const self: KafkaJS.Logger = {
    info: line('info'),
    error: line('error'),
    warn: line('warn'),
    debug: line('debug'),
    namespace: () => self,
    setLogLevel: () => undefined,
  };
  return self;
}

export interface ClientFactoryOptions {
  config: KafkaConfig;
  logger: Logger;
}

function kafka(name: string, { config, logger }: ClientFactoryOptions, extra: KafkaConfig): KafkaJS.Kafka {
  const merged = { ...config, ...extra };
  logger.debug(`${name} config: ${JSON.stringify(redactConfig(merged))}`);
  return new KafkaJS.Kafka({ ...(merged as KafkaJS.CommonConstructorConfig), kafkaJS: { logger: clientLogger(logger, name) } } as KafkaJS.CommonConstructorConfig);
}

export function createProducer(opts: ClientFactoryOptions, extra: KafkaConfig = {}): Producer {
  return kafka('producer', opts, extra).producer();
}

export function createConsumer(opts: ClientFactoryOptions, extra: KafkaConfig & { 'group.id': string }): Consumer {
  return kafka('consumer', opts, extra).consumer({} as KafkaJS.ConsumerConstructorConfig);
}

export function createAdmin(opts: ClientFactoryOptions, extra: KafkaConfig = {}): Admin {
  return kafka('admin', opts, extra).admin();
}

/**
 * The callback AdminClient, for what the promisified admin lacks (createPartitions). Callbacks only: wrap each call
 * in a promise and a deadline. (Neither API of the client in 1.10.x can describe or alter topic configs.)
 */
export type NativeAdmin = RdKafka.IAdminClient;

export function createNativeAdmin({ config, logger }: ClientFactoryOptions): NativeAdmin {
  logger.debug(`native admin config: ${JSON.stringify(redactConfig(config))}`);
  return RdKafka.AdminClient.create(config as RdKafka.GlobalConfig, {
    'event.error': (err: Error) => logger.debug(`[native admin error] ${err.message}`),
  });
}

/** The callback Producer, used for cluster metadata (the broker list), which neither admin API returns. */
export function createMetadataClient({ config, logger }: ClientFactoryOptions): RdKafka.Producer {
  logger.debug(`metadata client config: ${JSON.stringify(redactConfig(config))}`);
  return new RdKafka.Producer(config as RdKafka.ProducerGlobalConfig);
}

/**
 * The callback Producer with delivery reports, for bulk produce: measured about twice as fast as the promisified
 * `send()` (which allocates a promise per message) with the same per-message delivery accounting (`opaque`).
 */
export function createBulkProducer({ config, logger }: ClientFactoryOptions, extra: KafkaConfig = {}): RdKafka.Producer {
  const merged = { ...config, ...extra, dr_cb: true };
  logger.debug(`bulk producer config: ${JSON.stringify(redactConfig(merged))}`);
  return new RdKafka.Producer(merged as RdKafka.ProducerGlobalConfig);
}

/**
 * @platformatic/kafka's admin, only for topic configs (DescribeConfigs / IncrementalAlterConfigs), which neither
 * API of @confluentinc/kafka-javascript 1.10 has. Built from the same librdkafka config; throws ConfigsUnreadable
 * (a UserError, synchronously) for settings it cannot carry over. It connects on its first request.
 */
export type ConfigAdmin = ConfigsAdmin;

export function createConfigAdmin({ config, logger }: ClientFactoryOptions, timeoutMs: number): Promise<ConfigAdmin> {
  const options = configAdminOptions(config, (path) => readFileSync(path));
  logger.debug(`config admin: ${options.bootstrapBrokers.map((b) => `${b.host}:${b.port}`).join(',')}${options.tls ? ' tls' : ''}${options.sasl ? ` sasl ${options.sasl.mechanism}` : ''}`);
  // Few quick retries: the library retries retriable errors (a topic not yet visible on the broker it asked).
  // Imported on first use: every command that loads this file would otherwise pay ~0.5 s for it at start-up.
  return import('@platformatic/kafka').then(({ Admin }) =>
    new Admin({ ...options, timeout: timeoutMs, connectTimeout: timeoutMs, requestTimeout: timeoutMs, retries: 2, retryDelay: 250 }));
}
