/** The options every command shares, declared once for commander; resolved by src/context/global-context.ts. */
import { Command, Option } from 'commander';
import { DEFAULT_BROKERS } from '../kafka/config.js';
import { ENV, resolveGlobalOptions, type GlobalContext, type RawGlobalOptions } from '../context/global-context.js';

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

/** The resolved global options of the command being run (they may be given before or after the command name). */
export function globalContextOf(command: Command): GlobalContext {
  return resolveGlobalOptions(command.optsWithGlobals<RawGlobalOptions>());
}
