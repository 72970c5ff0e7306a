/**
 * `kscrape lag --group <g> --brokers <b>` without the CLI around it: the same runLag with the same merged
 * config, in a process that loads only the lag modules. bench/lag.ts times it to show how much of kscrape's wall
 * time is the CLI's start-up rather than lag itself.
 */
import { resolveGlobalOptions } from '../src/context/global-context.js';
import { runLag } from '../src/lag/run-lag.js';

const [brokers, group] = process.argv.slice(2) as [string, string];
const ctx = resolveGlobalOptions({ brokers, quiet: true });
process.exitCode = await runLag({
  adminConfig: ctx.kafkaConfig('admin'), consumerConfig: ctx.kafkaConfig('consumer'), logger: ctx.logger,
  groups: [group], allGroups: false, limits: {}, noTime: false, timeoutMs: 10_000, json: false, color: false, tty: false,
  watchMs: undefined, window: 10, write: (text) => void process.stdout.write(text),
});
