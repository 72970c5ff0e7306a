/**
 * The sink tables' columns, in one place: their SQL types, the order rows are built in (row-mapping.ts) and
 * COPYed in (copy-text.ts), and the versioned migrations that bring an existing table up to date. A schema
 * change between kscrape versions is a new entry in `MIGRATIONS`, applied by the sink itself; never a dropped
 * table.
 */
import type { SinkMode } from './defaults.js';

export type ColumnType = 'text' | 'int' | 'bigint' | 'boolean' | 'timestamptz' | 'jsonb';

export interface Column {
  name: string;
  type: ColumnType;
  /** What the column holds, for the README and `--check`. */
  doc: string;
}

/** Every column a row carries, in row order. `loaded_at` is the database's own (its default). */
export const COLUMNS: readonly Column[] = [
  { name: 'url', type: 'text', doc: 'the URL requested (the upsert key)' },
  { name: 'host', type: 'text', doc: 'its host (lowercase, punycode)' },
  { name: 'final_url', type: 'text', doc: 'the URL after redirects (pages)' },
  { name: 'status', type: 'int', doc: 'HTTP status' },
  { name: 'content_type', type: 'text', doc: 'Content-Type (pages)' },
  { name: 'bytes', type: 'bigint', doc: 'body size as received (pages)' },
  { name: 'truncated', type: 'boolean', doc: 'body cut at --max-page-bytes (pages)' },
  { name: 'fetched_at', type: 'timestamptz', doc: 'fetched_at, or failed_at for errors (decides which fetch is newest)' },
  { name: 'elapsed_ms', type: 'int', doc: 'fetch duration' },
  { name: 'crawl_id', type: 'text', doc: 'the crawl the URL belongs to, when given' },
  { name: 'depth', type: 'int', doc: 'link depth from the seeds, when given' },
  { name: 'referrer', type: 'text', doc: 'the page the URL was found on, when given' },
  { name: 'canonical', type: 'text', doc: "the page's canonical URL, when given" },
  { name: 'customer_id', type: 'text', doc: 'customer the URL was produced for' },
  { name: 'worker', type: 'text', doc: 'worker id that wrote the record' },
  { name: 'reason', type: 'text', doc: 'why it failed (errors, dlq.parked)' },
  { name: 'headers', type: 'jsonb', doc: 'response headers (pages)' },
  { name: 'data', type: 'jsonb', doc: 'every other field of the record (extraction fields, error detail, ...)' },
  { name: 'body', type: 'text', doc: 'page body, only with --bodies text' },
  { name: 'kafka_topic', type: 'text', doc: 'source topic' },
  { name: 'kafka_partition', type: 'int', doc: 'source partition' },
  { name: 'kafka_offset', type: 'bigint', doc: 'source offset (append mode: unique with topic and partition)' },
  { name: 'kafka_timestamp', type: 'timestamptz', doc: 'the record timestamp' },
];

export const COLUMN_NAMES = COLUMNS.map((c) => c.name);
export const COLUMN_INDEX: Readonly<Record<string, number>> = Object.fromEntries(COLUMN_NAMES.map((n, i) => [n, i]));

/** A table name as SQL, schema-qualified when given so (`analytics.pages`). */
export function quoteTable(name: string): string {
  return name.split('.').map(quoteIdent).join('.');
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A table name the sink accepts: letters, digits, `_`, optionally one schema prefix. */
export function validTableName(name: string): boolean {
  return /^([a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$/i.test(name);
}

/** The unique key rows conflict on: the URL (upsert) or the record's position (append). */
export function conflictColumns(mode: SinkMode): string[] {
  return mode === 'upsert' ? ['url'] : ['kafka_topic', 'kafka_partition', 'kafka_offset'];
}

/** kscrape's own bookkeeping tables (created once per database). */
export const BOOKKEEPING_SQL = [
  `CREATE TABLE IF NOT EXISTS kscrape_offsets (
    group_id text NOT NULL,
    topic text NOT NULL,
    partition int NOT NULL,
    next_offset bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, topic, partition))`,
  `CREATE TABLE IF NOT EXISTS kscrape_tables (
    table_name text PRIMARY KEY,
    mode text NOT NULL,
    source text NOT NULL,
    schema_version int NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    migrated_at timestamptz NOT NULL DEFAULT now())`,
];

/**
 * The migrations of a sink table, in order; `MIGRATIONS[i]` brings version i to i + 1. Append only: a released
 * entry is never edited (tables out there are at its version).
 */
export const MIGRATIONS: readonly ((table: string, mode: SinkMode) => string[])[] = [
  (table, mode) => {
    const t = quoteTable(table);
    const bare = table.split('.').pop() ?? table;
    // url may be NULL even in upsert mode: an errors record of a malformed message has none (NULLs never conflict).
    const columns = COLUMNS.map((c) => `${quoteIdent(c.name)} ${c.type}`);
    return [
      `CREATE TABLE ${t} (${[...columns, 'loaded_at timestamptz NOT NULL DEFAULT now()'].join(', ')})`,
      `CREATE UNIQUE INDEX ${quoteIdent(`${bare}_key`)} ON ${t} (${conflictColumns(mode).map(quoteIdent).join(', ')})`,
      `CREATE INDEX ${quoteIdent(`${bare}_host_fetched`)} ON ${t} (host, fetched_at)`,
    ];
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;
