/**
 * The extract settings, declared once. `EXTRACT_DEFAULTS` is the one answer to "what does this setting default
 * to": commands/extract.ts shows them in --help through `flagDefault` and maps the flags onto ExtractSettings.
 * The consumer plumbing settings mean what they mean for `kscrape work` (worker/options.ts).
 */
import { flagText } from '../units.js';
import type { RecordForm } from './outcomes.js';

const MiB = 1024 * 1024;

export const EXTRACT_DEFAULTS = {
  /** Consumer group on the pages topic; every extractor of one pipeline uses the same. @default 'extractors' */
  group: 'extractors',
  /**
   * What an extractions record is. 'page': one per page, a list page's items in its `items` — one record per
   * page consumed, keyed by the page URL, so a compacted topic and the sink's upsert keep the latest extraction
   * of each page and nothing about the page (fields, metadata) is left out. 'item': a page with items writes one
   * record per item instead (keyed by the item's URL), for consumers that want items as rows; a page without
   * items still writes its page record. @default 'page'
   */
  records: 'page' as RecordForm,
  /** Pages extracted at once (matters with an async --module; parsing itself is CPU-bound). @default 8 */
  concurrency: 8,
  /**
   * Unfinished pages held per partition before it is paused (resumed at half): the memory bound, with pages of
   * tens of KiB each (100 × 6 partitions × 32 KiB ≈ 19 MiB of page text). @default 100
   */
  lookahead: 100,
  /** Commit after this many finished pages... (with --eos: replaced by `txnMaxMessages`). @default 1000 */
  commitEveryMessages: 1000,
  /** ...or after this long, whichever comes first. @default 5000 (5 s) */
  commitIntervalMs: 5_000,
  /** On SIGINT/SIGTERM, how long running extractions and deliveries may take to finish. @default 30000 (30 s) */
  shutdownTimeoutMs: 30_000,
  /** Restart the consumer when it delivered nothing for this long while its partitions have lag. @default 60000 (60 s) */
  stallTimeoutMs: 60_000,
  /** 'consumer' uses KIP-848 (Kafka 4 brokers); 'classic' uses cooperative-sticky. @default 'classic' */
  groupProtocol: 'classic' as 'classic' | 'consumer',
  /** How long a --module may take for one page before the page goes to errors (extract-failed). @default 5000 (5 s) */
  moduleTimeoutMs: 5_000,
  /** Address the metrics server listens on (when a metrics port is given). @default '0.0.0.0' */
  metricsHost: '0.0.0.0',
  /** How often a status line is logged. @default 10000 (10 s) */
  statusIntervalMs: 10_000,
  /** Largest extractions record. @default 4 MiB */
  maxRecordBytes: 4 * MiB,
  /** Records handed to the producer and not yet acknowledged, in bytes, before extraction waits for the broker. @default 32 MiB */
  maxPendingBytes: 32 * MiB,
  /** Exactly-once: extractions and pages offsets committed in one transaction; needs a stable worker id. @default false */
  eos: false,
  /** With --eos: pages per transaction at most. @default 500 */
  txnMaxMessages: 500,
  /** With --eos: a transaction is committed at least this often. @default 1000 (1 s) */
  txnMaxMs: 1_000,
};

export type ExtractDefaults = typeof EXTRACT_DEFAULTS;

export interface ExtractSettings extends Omit<ExtractDefaults, 'txnMaxMessages' | 'txnMaxMs'> {
  /** Name written into every record; with --eos it names the transactional producer. @default '<hostname>-<pid>' */
  workerId: string | undefined;
  /** Rules file (YAML or JSON). @default none: built-in extraction only */
  rulesPath: string | undefined;
  /** User module. @default none */
  modulePath: string | undefined;
  /** Stop after consuming (and finishing) this many pages. @default no limit */
  maxMessages: number | undefined;
  /** Stop when nothing arrived for this long, nothing is pending and the group committed the whole topic. @default never */
  idleExitMs: number | undefined;
  /** Serve Prometheus metrics on this port at /metrics. @default off */
  metricsPort: number | undefined;
}

type DurationKey = 'commitIntervalMs' | 'shutdownTimeoutMs' | 'stallTimeoutMs' | 'statusIntervalMs' | 'txnMaxMs' | 'moduleTimeoutMs';
type SizeKey = 'maxRecordBytes' | 'maxPendingBytes';
type CountKey = 'concurrency' | 'lookahead' | 'commitEveryMessages' | 'txnMaxMessages';
type TextKey = 'group' | 'groupProtocol' | 'metricsHost' | 'records';

/** A default as the flag's text (`5s`, `32MiB`, `8`), for commander's `.default(...)` and so `--help`. */
export function flagDefault(key: DurationKey | SizeKey | CountKey | TextKey): string {
  return flagText(key, EXTRACT_DEFAULTS[key]);
}
