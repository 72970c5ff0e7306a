/**
 * Assembles the librdkafka configuration every client is built from.
 * Precedence, lowest first: role defaults < --client-config file < --brokers/KSCRAPE_BROKERS < -X key=value.
 * (The broker list itself is resolved flag > env > file > default by `resolveBrokers`.) The role defaults and what
 * each client adds on top are in client-configs.ts.
 */
import { UserError } from '../errors.js';
import { registerConfigSecrets } from '../redact.js';

export type KafkaConfig = Record<string, string | number | boolean>;

export const DEFAULT_BROKERS = '127.0.0.1:9092';

export type ValueSource = 'flag' | 'env' | 'config-file' | 'default';

export interface BrokerChoice {
  brokers: string;
  source: ValueSource;
}

export function resolveBrokers(input: { flag?: string | undefined; env?: string | undefined; file?: string | undefined }): BrokerChoice {
  if (input.flag) return { brokers: input.flag, source: 'flag' };
  if (input.env) return { brokers: input.env, source: 'env' };
  if (input.file) return { brokers: input.file, source: 'config-file' };
  return { brokers: DEFAULT_BROKERS, source: 'default' };
}

/** Parses repeated `-X key=value` flags; the last one for a key wins, as in kcat. */
export function parsePropertyFlags(flags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new UserError(`-X expects key=value (a librdkafka property), got '${flag}'`, 'config.bad-property-flag');
    out[flag.slice(0, eq).trim()] = flag.slice(eq + 1);
  }
  return out;
}

export interface KafkaConfigLayers {
  /** What kscrape wants for this kind of client (producer acks, consumer commit mode...). */
  roleDefaults?: KafkaConfig;
  /** Translated --client-config file. */
  clientConfig?: Record<string, string>;
  brokers: BrokerChoice;
  /** -X flags. */
  overrides?: Record<string, string>;
}

export function buildKafkaConfig(layers: KafkaConfigLayers): KafkaConfig {
  const config: KafkaConfig = {
    ...layers.roleDefaults,
    ...layers.clientConfig,
  };
  // A file's bootstrap.servers is only overridden by a flag or the environment, not by our default.
  if (layers.brokers.source !== 'config-file') config['bootstrap.servers'] = layers.brokers.brokers;
  if (config['bootstrap.servers'] === undefined) config['bootstrap.servers'] = layers.brokers.brokers;
  Object.assign(config, layers.overrides);
  registerConfigSecrets(config);
  return config;
}
