/**
 * The flags of the consumer plumbing, declared and parsed once: `work` and `extract` have them all, `sink
 * postgres` the ones that fit it (stop conditions, shutdown, status line, group protocol, worker id). The flag
 * names, arguments, defaults and parsing are here; each command says in its own words what a flag means for it
 * (a URL fetched, a page extracted), so the help text stays the command's.
 */
import { Option } from 'commander';
import { UserError } from '../errors.js';
import { parseDuration, parsePositiveInt, parseSize } from '../units.js';
import { CONSUMER_DEFAULTS, consumerFlagDefault, type ConsumerSettings, type GroupProtocol } from './settings.js';

/** The flags' text as commander hands it over. */
export interface ConsumerFlags extends StopFlags {
  group: string;
  workerId?: string;
  commitEvery: string;
  commitInterval: string;
  shutdownTimeout: string;
  stallTimeout: string;
  groupProtocol: GroupProtocol;
  metricsPort?: string;
  metricsHost: string;
  statusInterval: string;
  maxRecordBytes: string;
  deliveryBuffer: string;
  eos?: boolean;
  txnMaxMessages: string;
  txnMaxMs: string;
}

export interface StopFlags {
  maxMessages?: string;
  idleExit?: string;
}

/** What each flag means for the command, in its words (the help text of the flags whose meaning differs). */
export interface ConsumerFlagHelp {
  commitEvery: string;
  maxMessages: string;
  idleExit: string;
  shutdownTimeout: string;
  statusInterval: string;
  maxRecordBytes: string;
  deliveryBuffer: string;
  eos: string;
  txnMaxMessages: string;
}

export const workerIdOption = (help = 'name written into every record (default: <hostname>-<pid>)') => new Option('--worker-id <id>', help);
export const maxMessagesOption = (help: string) => new Option('--max-messages <n>', help);
export const idleExitOption = (help: string) => new Option('--idle-exit <duration>', help);
export const shutdownTimeoutOption = (help: string, defaultText: string) => new Option('--shutdown-timeout <duration>', help).default(defaultText);
export const statusIntervalOption = (help: string, defaultText: string) => new Option('--status-interval <duration>', help).default(defaultText);
export const groupProtocolOption = (defaultText: string) =>
  new Option('--group-protocol <protocol>', "'consumer' uses KIP-848 (Kafka 4 brokers); 'classic' uses cooperative-sticky").choices(['classic', 'consumer']).default(defaultText);

/** `--group` (with the command's default group) and `--worker-id`, which head the command's options. */
export function consumerGroupOptions(groupHelp: string, defaultGroup: string): Option[] {
  return [new Option('--group <id>', groupHelp).default(defaultGroup), workerIdOption()];
}

/** The commit, stop, shutdown, metrics, status, delivery and --eos flags, in the order --help lists them. */
export function consumerOptions(help: ConsumerFlagHelp): Option[] {
  return [
    new Option('--commit-every <n>', help.commitEvery).default(consumerFlagDefault('commitEveryMessages')),
    new Option('--commit-interval <duration>', '...or after this long, whichever comes first').default(consumerFlagDefault('commitIntervalMs')),
    maxMessagesOption(help.maxMessages),
    idleExitOption(help.idleExit),
    shutdownTimeoutOption(help.shutdownTimeout, consumerFlagDefault('shutdownTimeoutMs')),
    new Option('--stall-timeout <duration>', 'restart the consumer when it delivers nothing this long while its partitions have lag').default(consumerFlagDefault('stallTimeoutMs')),
    groupProtocolOption(consumerFlagDefault('groupProtocol')),
    new Option('--metrics-port <port>', 'serve Prometheus metrics on this port at /metrics (default: off)'),
    new Option('--metrics-host <address>', 'address the metrics server listens on').default(consumerFlagDefault('metricsHost')),
    statusIntervalOption(help.statusInterval, consumerFlagDefault('statusIntervalMs')),
    new Option('--max-record-bytes <size>', help.maxRecordBytes).default(consumerFlagDefault('maxRecordBytes')),
    new Option('--delivery-buffer <size>', help.deliveryBuffer).default(consumerFlagDefault('maxPendingBytes')),
    new Option('--eos', help.eos).default(CONSUMER_DEFAULTS.eos),
    new Option('--txn-max-messages <n>', help.txnMaxMessages).default(consumerFlagDefault('txnMaxMessages')),
    new Option('--txn-max-ms <duration>', 'with --eos: a transaction is committed at least this often').default(consumerFlagDefault('txnMaxMs')),
  ];
}

/** --max-messages and --idle-exit: both absent by default (no limit, never). */
export function stopSettingsFromFlags(flags: StopFlags): Pick<ConsumerSettings, 'maxMessages' | 'idleExitMs'> {
  return {
    maxMessages: flags.maxMessages === undefined ? undefined : parsePositiveInt(flags.maxMessages, '--max-messages'),
    idleExitMs: flags.idleExit === undefined ? undefined : parseDuration(flags.idleExit, '--idle-exit'),
  };
}

/**
 * Each flag parsed, in the order --help lists them (the first bad one is the one reported). The checks that
 * span flags come after the command's own flags are parsed too: finishConsumerSettings.
 */
export function consumerSettingsFromFlags(flags: ConsumerFlags): ConsumerSettings {
  return {
    group: flags.group,
    workerId: flags.workerId,
    commitEveryMessages: parsePositiveInt(flags.commitEvery, '--commit-every'),
    commitIntervalMs: parseDuration(flags.commitInterval, '--commit-interval'),
    ...stopSettingsFromFlags(flags),
    shutdownTimeoutMs: parseDuration(flags.shutdownTimeout, '--shutdown-timeout'),
    stallTimeoutMs: parseDuration(flags.stallTimeout, '--stall-timeout'),
    groupProtocol: flags.groupProtocol,
    metricsPort: flags.metricsPort === undefined ? undefined : port(flags.metricsPort),
    metricsHost: flags.metricsHost,
    statusIntervalMs: parseDuration(flags.statusInterval, '--status-interval'),
    maxRecordBytes: parseSize(flags.maxRecordBytes, '--max-record-bytes'),
    maxPendingBytes: parseSize(flags.deliveryBuffer, '--delivery-buffer'),
    eos: Boolean(flags.eos),
  };
}

/** The checks that span flags; with --eos the transaction limits take the place of the commit ones. */
export function finishConsumerSettings(settings: ConsumerSettings, flags: ConsumerFlags): void {
  if (settings.commitIntervalMs <= 0) throw new UserError('--commit-interval must be greater than zero', 'usage.bad-duration');
  if (!flags.eos) return;
  // The transactional.id comes from the worker id: a random one would not fence a crashed predecessor.
  if (!flags.workerId) throw new UserError('--eos needs --worker-id (stable across restarts: it names the transactional producer)', 'usage.eos-worker-id');
  settings.commitEveryMessages = parsePositiveInt(flags.txnMaxMessages, '--txn-max-messages');
  settings.commitIntervalMs = parseDuration(flags.txnMaxMs, '--txn-max-ms');
  if (settings.commitIntervalMs <= 0) throw new UserError('--txn-max-ms must be greater than zero', 'usage.bad-duration');
}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UserError(`--metrics-port: '${text}' is not a port number`, 'usage.bad-port');
  return n;
}
