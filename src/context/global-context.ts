/**
 * What every command shares, resolved from the global options (declared for commander in
 * src/commands/global-options.ts). Resolution follows one rule: flag > environment > --client-config file >
 * built-in default. It lives below commands/ so that the modules a command wires (worker, dlq, lag...) can take
 * the context without importing from commands/.
 */
import { checkBootstrapServers } from '../kafka/bootstrap-servers.js';
import { readClientProperties } from '../kafka/client-properties.js';
import { roleDefaults, type ClientRole } from '../kafka/client-configs.js';
import { buildKafkaConfig, parsePropertyFlags, resolveBrokers, type BrokerChoice, type KafkaConfig } from '../kafka/config.js';
import { registerSecret } from '../redact.js';
import { createLogger, type Logger } from '../log.js';
import { UserError } from '../errors.js';

export const ENV = {
  brokers: 'KSCRAPE_BROKERS',
  topicPrefix: 'KSCRAPE_TOPIC_PREFIX',
  redisUrl: 'KSCRAPE_REDIS_URL',
  clientConfig: 'KSCRAPE_CLIENT_CONFIG',
} as const;

/** Everything a command needs from the global options, resolved and validated. */
export interface GlobalContext {
  brokers: BrokerChoice;
  /** librdkafka properties from --client-config, already translated from Java names. */
  clientConfig: Record<string, string>;
  clientConfigFile: string | undefined;
  /** -X key=value flags. */
  overrides: Record<string, string>;
  topicPrefix: string;
  redisUrl: string | undefined;
  json: boolean;
  logger: Logger;
  /** The merged librdkafka config for one kind of client. */
  kafkaConfig(role: ClientRole): KafkaConfig;
  /** A topic's full name under --topic-prefix. */
  topic(name: string): string;
}

/** The global options as commander hands them over. */
export interface RawGlobalOptions {
  brokers?: string;
  property?: string[];
  clientConfig?: string;
  topicPrefix?: string;
  redis?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/** The setting a bootstrap list came from, as a usage error names it. */
const BROKER_SOURCES: Record<BrokerChoice['source'], (file: string | undefined) => string> = {
  flag: () => '--brokers', env: () => ENV.brokers, 'config-file': (file) => `bootstrap.servers in ${file ?? '--client-config'}`, default: () => 'the default brokers',
};

export function resolveGlobalOptions(raw: RawGlobalOptions, env: NodeJS.ProcessEnv = process.env, logger?: Logger): GlobalContext {
  const log = logger ?? createLogger({ level: raw.quiet ? 'quiet' : raw.verbose ? 'verbose' : 'normal' });
  const clientConfigFile = raw.clientConfig ?? nonEmpty(env[ENV.clientConfig]);
  let clientConfig: Record<string, string> = {};
  if (clientConfigFile) {
    const parsed = readClientProperties(clientConfigFile);
    clientConfig = parsed.config;
    if (parsed.dropped.length) log.debug(`${clientConfigFile}: ignored Java-only keys: ${parsed.dropped.join(', ')}`);
  }
  const brokers = resolveBrokers({ flag: raw.brokers, env: nonEmpty(env[ENV.brokers]), file: clientConfig['bootstrap.servers'] });
  checkBootstrapServers(brokers.brokers, BROKER_SOURCES[brokers.source](clientConfigFile));
  const overrides = parsePropertyFlags(raw.property ?? []);
  const topicPrefix = raw.topicPrefix ?? env[ENV.topicPrefix] ?? '';
  if (/[^a-zA-Z0-9._-]/.test(topicPrefix)) {
    throw new UserError(`--topic-prefix '${topicPrefix}' may only contain letters, digits, '.', '_' and '-'`, 'config.bad-topic-prefix');
  }
  const redisUrl = raw.redis ?? nonEmpty(env[ENV.redisUrl]);
  if (redisUrl) registerRedisSecret(redisUrl);
  return {
    brokers,
    clientConfig,
    clientConfigFile,
    overrides,
    topicPrefix,
    redisUrl,
    json: raw.json ?? false,
    logger: log,
    kafkaConfig: (role) => buildKafkaConfig({ roleDefaults: roleDefaults(role), clientConfig, brokers, overrides }),
    topic: (name) => `${topicPrefix}${name}`,
  };
}

function registerRedisSecret(url: string): void {
  try {
    registerSecret(decodeURIComponent(new URL(url).password));
  } catch {
    throw new UserError(`--redis '${url.replace(/:[^:@/]*@/, ':[redacted]@')}' is not a URL (expected redis://[user:password@]host:port[/db])`, 'config.bad-redis-url');
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
