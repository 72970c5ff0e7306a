/**
 * The sink's settings, declared once. `SINK_DEFAULTS` answers "what does this setting default to": commander's
 * `.default(...)` (and so `--help`) shows it through `sinkFlagDefault`, and commands/sink.ts maps the flags onto
 * `SinkSettings`.
 */
import { flagText } from '../units.js';

const MiB = 1024 * 1024;

/** The topics a sink reads (names before --topic-prefix). */
export const SINK_SOURCES = ['pages', 'extractions', 'errors', 'dlq.parked'] as const;
export type SinkSource = (typeof SINK_SOURCES)[number];

export type SinkMode = 'upsert' | 'append';
export type BodiesMode = 'none' | 'text';

export const SINK_DEFAULTS = {
  /** 'upsert': one row per URL, the newest fetch wins; 'append': one row per record. @default 'upsert' */
  mode: 'upsert' as SinkMode,
  /** Whether page bodies are stored (`text`) or left out (`none`: bodies are large). @default 'none' */
  bodies: 'none' as BodiesMode,
  /** Rows per database transaction at most. @default 5000 */
  batchRows: 5_000,
  /** Bytes of records per database transaction at most. @default 16 MiB */
  batchBytes: 16 * MiB,
  /** A partition's records wait at most this long for a fuller batch. @default 1000 (1 s) */
  lingerMs: 1_000,
  /** PostgreSQL connections (batches loaded in parallel, one partition per connection at a time). @default 4 */
  connections: 4,
  /** Records consumed and not yet loaded, in bytes, before partitions are paused (the memory bound). @default 64 MiB */
  bufferBytes: 64 * MiB,
  /** A record larger than this is not loaded: it goes to the errors topic as too-large. @default 16 MiB */
  maxRowBytes: 16 * MiB,
  /** Longest wait between retries while PostgreSQL is unreachable (the backoff doubles up to this). @default 10000 (10 s) */
  retryMaxMs: 10_000,
  /** On SIGINT/SIGTERM, how long the batches in flight may take to commit. @default 30000 (30 s) */
  shutdownTimeoutMs: 30_000,
  /** Deadline of one database round trip (connect, COPY, INSERT, COMMIT). @default 60000 (60 s) */
  statementTimeoutMs: 60_000,
  /** How often a status line is logged when stderr is not a terminal. @default 10000 (10 s) */
  statusIntervalMs: 10_000,
  /** 'consumer' uses KIP-848 (Kafka 4 brokers); 'classic' uses cooperative-sticky. @default 'classic' */
  groupProtocol: 'classic' as 'classic' | 'consumer',
};

export type SinkDefaults = typeof SINK_DEFAULTS;

/** The table a topic goes to unless --table says otherwise (append mode adds `_history`). */
export const DEFAULT_TABLES: Record<SinkSource, string> = {
  pages: 'kscrape_pages',
  extractions: 'kscrape_extractions',
  errors: 'kscrape_errors',
  'dlq.parked': 'kscrape_dlq_parked',
};

export function defaultTable(source: SinkSource, mode: SinkMode): string {
  return mode === 'append' ? `${DEFAULT_TABLES[source]}_history` : DEFAULT_TABLES[source];
}

/** The consumer group unless --group says otherwise. */
export function defaultGroup(source: SinkSource): string {
  return `sink-${source}`;
}

type DurationKey = 'lingerMs' | 'retryMaxMs' | 'shutdownTimeoutMs' | 'statementTimeoutMs' | 'statusIntervalMs';
type SizeKey = 'batchBytes' | 'bufferBytes' | 'maxRowBytes';
type CountKey = 'batchRows' | 'connections';
type TextKey = 'mode' | 'bodies' | 'groupProtocol';

/** A default as the flag's text (`1s`, `16MiB`, `5000`), which the flag parsers read back to the same value. */
export function sinkFlagDefault(key: DurationKey | SizeKey | CountKey | TextKey): string {
  return flagText(key, SINK_DEFAULTS[key]);
}

/** Everything `kscrape sink postgres` runs with. */
export interface SinkSettings extends SinkDefaults {
  source: SinkSource;
  /** --dsn; when absent KSCRAPE_PG_DSN, else the PG* variables (dsn.ts). The password is never printed. */
  dsn: string | undefined;
  table: string;
  group: string;
  /** Stop after loading this many records. @default no limit */
  maxMessages: number | undefined;
  /** Stop when nothing arrived for this long and the group has committed the whole topic. @default never */
  idleExitMs: number | undefined;
  /** Name written into the errors records of rejected rows. @default '<hostname>-<pid>' */
  workerId: string | undefined;
}
