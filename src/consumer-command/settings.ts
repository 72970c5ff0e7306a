/**
 * The settings of the consumer plumbing that `kscrape work` and `kscrape extract` share, declared once with their
 * defaults. WORK_DEFAULTS (worker/options.ts) and EXTRACT_DEFAULTS (extract/options.ts) add their own settings
 * to these; flags.ts declares and parses the flags behind them.
 */
import { flagText } from '../units.js';

const MiB = 1024 * 1024;

export type GroupProtocol = 'classic' | 'consumer';

export const CONSUMER_DEFAULTS = {
  /** Commit after this many finished messages... (with --eos: replaced by `txnMaxMessages`). @default 1000 */
  commitEveryMessages: 1000,
  /** ...or after this long, whichever comes first (with --eos: replaced by `txnMaxMs`). @default 5000 (5 s) */
  commitIntervalMs: 5_000,
  /** On SIGINT/SIGTERM, how long the work in flight and its deliveries may take to finish. @default 30000 (30 s) */
  shutdownTimeoutMs: 30_000,
  /** Restart the consumer when it delivered nothing for this long while its partitions have lag. @default 60000 (60 s) */
  stallTimeoutMs: 60_000,
  /** 'consumer' uses KIP-848 (Kafka 4 brokers); 'classic' uses cooperative-sticky. @default 'classic' */
  groupProtocol: 'classic' as GroupProtocol,
  /** Address the metrics server listens on (when a metrics port is given). @default '0.0.0.0' */
  metricsHost: '0.0.0.0',
  /** How often a status line is logged. @default 10000 (10 s) */
  statusIntervalMs: 10_000,
  /** Largest output record (work cuts a bigger page's body to fit). @default 4 MiB */
  maxRecordBytes: 4 * MiB,
  /**
   * Records handed to the producer and not yet acknowledged, in bytes, before the work waits for the broker
   * (`--delivery-buffer`). Bounds memory with large records or a slow broker; librdkafka holds a copy of each
   * until it is acknowledged, so memory for them is up to twice this. @default 32 MiB
   */
  maxPendingBytes: 32 * MiB,
  /** Exactly-once: output records and the consumed offsets committed in one transaction; needs a stable worker id. @default false */
  eos: false,
  /** With --eos: messages per transaction at most (replaces `commitEveryMessages`). @default 500 */
  txnMaxMessages: 500,
  /** With --eos: a transaction is committed at least this often (replaces `commitIntervalMs`). @default 1000 (1 s) */
  txnMaxMs: 1_000,
};

export type ConsumerDefaults = typeof CONSUMER_DEFAULTS;

/** The shared settings a run gets: the defaulted ones above (the --eos ones folded in), and the optional ones. */
export interface ConsumerSettings extends Omit<ConsumerDefaults, 'txnMaxMessages' | 'txnMaxMs'> {
  /** Consumer group; every consumer of one pipeline uses the same. Each command has its own default. */
  group: string;
  /** Name written into every record; with --eos it names the transactional producer. @default '<hostname>-<pid>' (consumer-command/run.ts) */
  workerId: string | undefined;
  /** Stop after consuming (and finishing) this many messages. @default no limit */
  maxMessages: number | undefined;
  /** Stop when nothing arrived for this long, nothing is pending and the group committed the whole topic. @default never */
  idleExitMs: number | undefined;
  /** Serve Prometheus metrics on this port at /metrics. @default off */
  metricsPort: number | undefined;
}

/** A shared default as the flag's text (`5s`, `32MiB`, `500`). */
export function consumerFlagDefault(key: keyof ConsumerDefaults): string {
  return flagText(key, CONSUMER_DEFAULTS[key]);
}
