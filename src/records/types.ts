/**
 * The records kscrape writes to and reads from its topics: one definition, shared by every command.
 * Built by ./url-envelope.ts (urls), worker/outcomes.ts (pages, errors, dlq, metrics) and dlq/retry-policy.ts
 * (dlq.parked, in the errors shape); encoded by ./envelope-encoder.ts and ./json-bytes.ts (the others with
 * JSON.stringify); decoded by ./decode.ts.
 * Field names are snake_case because other languages' consumers read these topics too.
 * Times are epoch milliseconds.
 */

/** urls topic. Key: the host (lowercase, punycode, no port unless non-default). */
export interface UrlEnvelope {
  url: string;
  host: string;
  customer_id: string;
  priority: number;
  discovered_at: number;
  /** 0 when first produced; `dlq retry` re-emits with attempt + 1. */
  attempt: number;
  /**
   * Crawl fields (`produce --crawl`, `work --follow`), absent on a plain URL. `crawl_id` names the crawl (its
   * dedupe store, caps, stats and stop switch); `depth` is 0 for a seed and the referring page's + 1 for a
   * discovered link; `referrer` is the page it was found on; `seed` the seed it descends from (scope is judged
   * against it; a seed has none: it is its own).
   */
  crawl_id?: string;
  depth?: number;
  referrer?: string;
  seed?: string;
  /**
   * A recrawl (`--refetch-after`) of a crawl URL: the validators of its previous fetch, sent as If-None-Match
   * and If-Modified-Since; a 304 then ends as the outcome `not-modified`. Absent when it had none.
   */
  etag?: string;
  last_modified?: string;
}

/** pages topic. Key: the URL. */
export interface PageRecord {
  url: string;
  final_url: string;
  status: number;
  content_type: string | null;
  headers: Record<string, string>;
  /** Decoded text, at most --max-page-bytes; see `truncated`. */
  body: string;
  truncated: boolean;
  /** Size of the decoded body as received (up to the cap). */
  bytes: number;
  fetched_at: number;
  elapsed_ms: number;
  customer_id: string;
  worker: string;
  /** With `work --follow`: the page's `<link rel=canonical>` (or Link header), normalized; null when none. */
  canonical?: string | null;
  /** With `work --follow`: the crawl the page belongs to and its depth (see UrlEnvelope). */
  crawl_id?: string;
  depth?: number;
}

/** Why a URL ended in the errors topic without being retried. */
export type ErrorReason =
  | 'http-status'
  | 'robots'
  | 'blocked-address'
  | 'redirect'
  | 'unsupported-content'
  | 'malformed'
  | 'invalid-url'
  | 'max-attempts'
  | 'too-large'
  | 'noindex'
  /** `sink postgres` could not store the record (a value PostgreSQL refuses, e.g. a NUL character). */
  | 'unloadable'
  /** extract: the page has no body to extract from. */
  | 'empty-body'
  /** extract: a --module threw, timed out or returned something unusable. */
  | 'extract-failed';

/** errors topic. Key: the URL (or the raw key for malformed input). `extract` writes url, reason, status and detail; its `original` is null (the page stays in the pages topic). */
export interface ErrorRecord {
  url: string | null;
  reason: ErrorReason;
  status: number | null;
  detail: string;
  /** The consumed envelope when there was one; for malformed input, the raw value (truncated) as text. */
  original: UrlEnvelope | string | null;
  failed_at: number;
  worker: string;
}

/** dlq topic: retryable failures. Key: the URL. */
export interface DlqRecord {
  original: UrlEnvelope;
  error: string;
  status: number | null;
  failed_at: number;
  /** Attempts made so far including this one (original.attempt + 1). */
  attempts: number;
  worker: string;
  /**
   * When the server asked to be tried again (a 429/503 `Retry-After`, as epoch ms); absent when it did not say.
   * `dlq retry` waits for the later of this and the cool-down.
   */
  retry_after_at?: number;
}

/**
 * `not-modified`: a recrawl's conditional request answered 304 (no page record, only the metric); `stopped`: the
 * URL's crawl was stopped (`crawl stop`) before it was fetched; `duplicate`: with `work --follow`, the URL
 * redirected to one its crawl already has (fetched under that URL's own envelope, not again here).
 */
export type Outcome = 'page' | 'error' | 'dlq' | 'not-modified' | 'stopped' | 'duplicate';

/** metrics topic: one per URL handled. Key: the host. */
export interface MetricRecord {
  url: string;
  host: string;
  status: number | null;
  outcome: Outcome;
  reason?: string;
  elapsed_ms: number;
  bytes: number;
  ts: number;
  worker: string;
}

/**
 * extractions topic: what `kscrape extract` took from one page. Key: the page's URL. One record per page; a list
 * page carries its items in `items` (with `extract --records item` a page with items writes ExtractionItemRecords
 * instead; a page without items still writes this record).
 */
export interface ExtractionRecord {
  url: string;
  /** The URL after redirects (what relative links were resolved against). */
  final_url: string;
  host: string;
  fetched_at: number;
  status: number;
  /** The rules file's rule set that matched the page; null when none did (or no --rules). */
  rule_set: string | null;
  /** The rule set's fields (a field not found is null, or [] when `multiple`). */
  fields: Record<string, unknown>;
  /** The rule set's items, then the --module's. */
  items: Record<string, unknown>[];
  /** Built-in extraction (HTML pages): title, description, language, canonical URL, OpenGraph, Twitter, JSON-LD, microdata, headings, links. */
  page: ExtractedPageMetadata | null;
  /** A JSON page's body, parsed (null for HTML). */
  json: unknown;
  /** What went wrong without losing the page: a broken JSON-LD block, a required field missing, a value that did not convert. */
  errors: { where: string; message: string }[];
  /** kscrape's version and the rules file's name (and the module's, with --module), e.g. `kscrape/0.1.0 rules=shop.yaml`. */
  extractor_version: string;
  extracted_at: number;
  worker: string;
}

/**
 * extractions topic with `kscrape extract --records item`: one item of a list page, carrying the page's identity.
 * Key: the item's URL (the value of the items rule's first single `url`-typed field, or a --module item's string
 * `url`), else `<page url>#<item_index>`. Told apart from an ExtractionRecord by `item_index`.
 */
export interface ExtractionItemRecord {
  /** The page's URL (the page the item was listed on). */
  url: string;
  final_url: string;
  host: string;
  fetched_at: number;
  status: number;
  rule_set: string | null;
  /** The item's place among the page's items (the rule set's, then the --module's), from 0. */
  item_index: number;
  /** How many items the page gave: the page's records are item_index 0 .. item_count - 1. */
  item_count: number;
  /** The item's URL when it has one (the record's key then), else null. */
  item_url: string | null;
  /** The item's fields. */
  fields: Record<string, unknown>;
  /** The page's extraction issues (dropped items, broken JSON-LD, ...), on item 0 only: each is reported once. */
  errors: { where: string; message: string }[];
  extractor_version: string;
  extracted_at: number;
  worker: string;
}

/** The built-in extraction of an HTML page (see src/extract/builtin.ts). */
export interface ExtractedPageMetadata {
  title: string | null;
  description: string | null;
  language: string | null;
  canonical_url: string | null;
  opengraph: Record<string, string | string[]>;
  twitter: Record<string, string | string[]>;
  json_ld: unknown[];
  microdata: { type: string[]; id?: string; properties: Record<string, unknown[]> }[];
  headings: { level: number; text: string }[];
  links: { internal: number; external: number };
}
