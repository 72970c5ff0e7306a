/** `kscrape sink postgres`: results into PostgreSQL, exactly once. Declares the options; src/sink/ does the rest. */
import { Option, type Command } from 'commander';
import { groupProtocolOption, idleExitOption, maxMessagesOption, shutdownTimeoutOption, statusIntervalOption, stopSettingsFromFlags, workerIdOption, type StopFlags } from '../consumer-command/flags.js';
import { UserError } from '../errors.js';
import { SINK_DEFAULTS, SINK_SOURCES, defaultGroup, defaultTable, sinkFlagDefault, type BodiesMode, type SinkMode, type SinkSettings, type SinkSource } from '../sink/defaults.js';
import { validTableName } from '../sink/schema.js';
import { parseDuration, parsePositiveInt, parseSize } from '../units.js';
import { globalContextOf } from './global-options.js';
import type { CommandRuntime } from './runtime.js';

interface SinkFlags extends StopFlags {
  from: SinkSource;
  dsn?: string;
  table?: string;
  group?: string;
  mode: SinkMode;
  bodies: BodiesMode;
  batch: string;
  batchBytes: string;
  linger: string;
  connections: string;
  buffer: string;
  maxRowBytes: string;
  shutdownTimeout: string;
  statementTimeout: string;
  retryMax: string;
  statusInterval: string;
  groupProtocol: 'classic' | 'consumer';
  workerId?: string;
  check?: boolean;
}

export function registerSinkCommand(program: Command, runtime: CommandRuntime): void {
  const sink = program.command('sink').description('load results from a topic into a database, exactly once')
    .addHelpText('after', `
Examples:
  kscrape sink postgres --from pages --dsn postgres://crawler@127.0.0.1:5432/crawl
  kscrape sink postgres --from pages --check`);
  sink.command('postgres')
    .description('load pages, extractions, errors or dlq.parked records into a PostgreSQL table, exactly once')
    .addOption(new Option('--from <topic>', 'the topic to load').choices(SINK_SOURCES).default('pages'))
    .addOption(new Option('--dsn <url>', 'postgres://user[:password]@host:port/database (default: KSCRAPE_PG_DSN, else the PG* variables)'))
    .addOption(new Option('--table <name>', 'table to write, created on first run (default: kscrape_<topic>, with _history in append mode)'))
    .addOption(new Option('--group <id>', 'consumer group (default: sink-<topic>)'))
    .addOption(new Option('--mode <mode>', 'upsert: one row per URL, the newest fetch wins; append: one row per record').choices(['upsert', 'append']).default(sinkFlagDefault('mode')))
    .addOption(new Option('--bodies <what>', 'store page bodies (text) or not (none: bodies are large)').choices(['none', 'text']).default(sinkFlagDefault('bodies')))
    .addOption(new Option('--batch <rows>', 'rows per database transaction at most').default(sinkFlagDefault('batchRows')))
    .addOption(new Option('--batch-bytes <size>', 'bytes of records per database transaction at most').default(sinkFlagDefault('batchBytes')))
    .addOption(new Option('--linger <duration>', "how long a partition's records wait for a fuller batch").default(sinkFlagDefault('lingerMs')))
    .addOption(new Option('--connections <n>', 'PostgreSQL connections: batches of different partitions load in parallel').default(sinkFlagDefault('connections')))
    .addOption(new Option('--buffer <size>', 'records consumed and not yet stored before partitions are paused (memory bound)').default(sinkFlagDefault('bufferBytes')))
    .addOption(new Option('--max-row-bytes <size>', 'a larger record goes to the errors topic (too-large) instead of the table').default(sinkFlagDefault('maxRowBytes')))
    .addOption(maxMessagesOption('stop after consuming (and storing) this many records (default: no limit)'))
    .addOption(idleExitOption('stop when nothing arrived for this long and the group has stored the whole topic (default: never)'))
    .addOption(shutdownTimeoutOption('on SIGINT/SIGTERM, how long buffered records may take to be stored', sinkFlagDefault('shutdownTimeoutMs')))
    .addOption(new Option('--statement-timeout <duration>', 'deadline of one database call (connect, COPY, INSERT, COMMIT)').default(sinkFlagDefault('statementTimeoutMs')))
    .addOption(new Option('--retry-max <duration>', 'longest wait between retries while PostgreSQL is away').default(sinkFlagDefault('retryMaxMs')))
    .addOption(statusIntervalOption('how often a status line is logged when stderr is not a terminal', sinkFlagDefault('statusIntervalMs')))
    .addOption(groupProtocolOption(sinkFlagDefault('groupProtocol')))
    .addOption(workerIdOption('name written into the errors records of rejected rows (default: <hostname>-<pid>)'))
    .addOption(new Option('--check', 'show the table, its row count and the stored offsets against the topic\'s end (the lag), then exit').default(false))
    .addHelpText('after', `
Rows and the consumer's offsets (table kscrape_offsets) commit in one PostgreSQL transaction, and a partition
starts where the database says: a crash, a kill -9 or a rebalance never stores a record twice or skips one.
Kafka's committed offsets follow after each database commit (for kscrape lag). Records PostgreSQL refuses,
malformed ones and ones over --max-row-bytes go to the errors topic with the reason; the batch goes on.

Examples:
  kscrape sink postgres --from pages --dsn postgres://crawler@127.0.0.1:5432/crawl
  kscrape sink postgres --from pages --mode append --bodies text --table page_history
  kscrape sink postgres --from extractions --connections 8 --batch 10000 --linger 2s
  kscrape sink postgres --from errors --idle-exit 30s --json    # a batch run; summary as JSON on stdout
  kscrape sink postgres --from pages --check                    # table, rows, stored offsets, lag`)
    .action(async (flags: SinkFlags, command: Command) => {
      const ctx = globalContextOf(command);
      const settings = settingsOf(flags);
      if (flags.check) {
        const { runSinkCheck } = await import('../sink/check.js');
        await runSinkCheck(ctx, settings, runtime);
        return;
      }
      // Loaded here, not at start-up: the sink pulls in pg and the Kafka client.
      const { runSink } = await import('../sink/run-sink.js');
      await runSink(ctx, settings, runtime);
    });
}

function settingsOf(flags: SinkFlags): SinkSettings {
  const table = flags.table ?? defaultTable(flags.from, flags.mode);
  if (!validTableName(table)) throw new UserError(`--table: '${table}' is not a plain table name (letters, digits, _; optionally schema.table)`, 'usage.bad-table');
  const settings: SinkSettings = {
    ...SINK_DEFAULTS,
    source: flags.from,
    dsn: flags.dsn,
    table,
    group: flags.group ?? defaultGroup(flags.from),
    mode: flags.mode,
    bodies: flags.bodies,
    batchRows: parsePositiveInt(flags.batch, '--batch'),
    batchBytes: parseSize(flags.batchBytes, '--batch-bytes'),
    lingerMs: parseDuration(flags.linger, '--linger'),
    connections: parsePositiveInt(flags.connections, '--connections'),
    bufferBytes: parseSize(flags.buffer, '--buffer'),
    maxRowBytes: parseSize(flags.maxRowBytes, '--max-row-bytes'),
    ...stopSettingsFromFlags(flags),
    shutdownTimeoutMs: parseDuration(flags.shutdownTimeout, '--shutdown-timeout'),
    statementTimeoutMs: parseDuration(flags.statementTimeout, '--statement-timeout'),
    retryMaxMs: parseDuration(flags.retryMax, '--retry-max'),
    statusIntervalMs: parseDuration(flags.statusInterval, '--status-interval'),
    groupProtocol: flags.groupProtocol,
    workerId: flags.workerId,
  };
  if (settings.bufferBytes < 2 * settings.batchBytes) throw new UserError(`--buffer (${flags.buffer}) must be at least twice --batch-bytes (${flags.batchBytes}): a batch is cut from what is buffered`, 'usage.sink-buffer');
  if (settings.statementTimeoutMs <= 0 || settings.retryMaxMs <= 0) throw new UserError('--statement-timeout and --retry-max must be greater than zero', 'usage.bad-duration');
  return settings;
}
