/** `kscrape config`: shows the effective Kafka configuration after every layer of precedence, secrets redacted. */
import { Option, type Command } from 'commander';
import { redactConfig } from '../redact.js';
import { CLIENT_ROLES, type ClientRole } from '../kafka/client-configs.js';
import { globalContextOf } from './global-options.js';
import type { CommandRuntime } from './runtime.js';

/** The defaults of `kscrape config`; the configs it prints come from src/kafka/client-configs.ts. */
export const CONFIG_DEFAULTS = {
  /**
   * Which client's configuration to show.
   * @default 'producer'
   */
  role: 'producer' as ClientRole,
};

export function registerConfigCommand(program: Command, runtime: CommandRuntime): void {
  program
    .command('config')
    .description('print the effective librdkafka configuration (flags > env > --client-config > defaults), secrets redacted')
    .addOption(new Option('--role <role>', 'which client to show').choices(CLIENT_ROLES).default(CONFIG_DEFAULTS.role))
    .addHelpText('after', `
Examples:
  kscrape config --client-config ccloud.properties --role consumer
  kscrape config -X linger.ms=50 --json | jq '."linger.ms"'`)
    .action((opts: { role: ClientRole }, cmd: Command) => {
      const ctx = globalContextOf(cmd);
      const config = redactConfig(ctx.kafkaConfig(opts.role));
      const entries = Object.entries(config).sort(([a], [b]) => a.localeCompare(b));
      if (ctx.json) {
        runtime.stdout.write(`${JSON.stringify(Object.fromEntries(entries))}\n`);
      } else {
        for (const [key, value] of entries) runtime.stdout.write(`${key}=${String(value)}\n`);
        ctx.logger.debug(`brokers from ${ctx.brokers.source}`);
      }
    });
}
