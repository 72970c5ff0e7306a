/**
 * The options every command shares, declared once. Resolution follows one rule:
 * flag > environment > --client-config file > built-in default.
 */
import { Command, Option } from 'commander';
import { checkBootstrapServers } from '../kafka/bootstrap-servers.js';
import { readClientProperties } from '../kafka/client-properties.js';
import { DEFAULT_BROKERS, buildKafkaConfig, parsePropertyFlags, resolveBrokers, roleDefaults, type BrokerChoice, type ClientRole, type KafkaConfig } from '../kafka/config.js';
import { registerSecret } from '../kafka/redact.js';
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

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addGlobalOptions(program: Command): Command {
  return program
    .addOption(new Option('-b, --brokers <list>', `bootstrap brokers, comma-separated (env ${ENV.brokers}; default ${DEFAULT_BROKERS})`))
    .addOption(new Option('-X, --property <key=value>', 'any librdkafka property, repeatable; wins over everything else (default: none)').argParser(collect))
    .addOption(new Option('--client-config <file>', `Java-style client.properties (Confluent Cloud, MSK) (env ${ENV.clientConfig}; default: none)`))
    .addOption(new Option('--topic-prefix <prefix>', `prefix for every topic name, so pipelines can share a cluster (env ${ENV.topicPrefix}; default: none)`))
    .addOption(new Option('--redis <url>', `Redis URL for the shared limiter and counters (env ${ENV.redisUrl}; default: none, limits hold per process)`))
    .addOption(new Option('--json', 'machine-readable output on stdout'))
    .addOption(new Option('-q, --quiet', 'only errors on stderr').conflicts('verbose'))
    .addOption(new Option('-v, --verbose', 'debug lines on stderr, including the effective config (secrets redacted)'));
}

interface RawGlobalOptions {
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

/** The resolved global options of the command being run (they may be given before or after the command name). */
export function globalContextOf(command: Command): GlobalContext {
  return resolveGlobalOptions(command.optsWithGlobals<RawGlobalOptions>());
}
