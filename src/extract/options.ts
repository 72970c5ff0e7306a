/**
 * The extract settings, declared once. `EXTRACT_DEFAULTS` is the one answer to "what does this setting default
 * to": commands/extract.ts shows them in --help through `flagDefault` and maps the flags onto ExtractSettings.
 * The consumer plumbing's settings are shared with `kscrape work` (consumer-command/settings.ts).
 */
import { CONSUMER_DEFAULTS, type ConsumerSettings } from '../consumer-command/settings.js';
import { flagText } from '../units.js';
import type { RecordForm } from './outcomes.js';


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
  /** Pages extracted at once; with a --module, the threads it runs in, capped at the cores (module-pool.ts). @default 8 */
  concurrency: 8,
  /**
   * Unfinished pages held per partition before it is paused (resumed at half): the memory bound, with pages of
   * tens of KiB each (100 × 6 partitions × 32 KiB ≈ 19 MiB of page text). @default 100
   */
  lookahead: 100,
  /** How long a --module may take for one page before the page goes to errors (extract-failed). @default 5000 (5 s) */
  moduleTimeoutMs: 5_000,
  ...CONSUMER_DEFAULTS,
};

export type ExtractDefaults = typeof EXTRACT_DEFAULTS;

export interface ExtractSettings extends ConsumerSettings, Omit<ExtractDefaults, 'txnMaxMessages' | 'txnMaxMs'> {
  /** Rules file (YAML or JSON). @default none: built-in extraction only */
  rulesPath: string | undefined;
  /** User module. @default none */
  modulePath: string | undefined;
}

type DurationKey = 'commitIntervalMs' | 'shutdownTimeoutMs' | 'stallTimeoutMs' | 'statusIntervalMs' | 'txnMaxMs' | 'moduleTimeoutMs';
type SizeKey = 'maxRecordBytes' | 'maxPendingBytes';
type CountKey = 'concurrency' | 'lookahead' | 'commitEveryMessages' | 'txnMaxMessages';
type TextKey = 'group' | 'groupProtocol' | 'metricsHost' | 'records';

/** A default as the flag's text (`5s`, `32MiB`, `8`), for commander's `.default(...)` and so `--help`. */
export function flagDefault(key: DurationKey | SizeKey | CountKey | TextKey): string {
  return flagText(key, EXTRACT_DEFAULTS[key]);
}
