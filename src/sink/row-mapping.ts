/**
 * A consumed record → one table row (pure). Every topic maps onto the same columns (schema.ts): the fields every
 * record has go to typed columns when their type is right, everything else (extraction fields, error detail,
 * a field of the wrong type) into `data` JSONB, so nothing the record held is lost. A record that is not a JSON
 * object, or too large, is a reject with its reason.
 */
import { hostKey } from '../records/index.js';
import { cutStringMember } from './cut-member.js';
import type { BodiesMode, SinkSource } from './defaults.js';
import { COLUMNS, COLUMN_INDEX, type ColumnType } from './schema.js';

export type CellValue = string | number | boolean | null | Date | object;
export type Row = CellValue[];

export interface SourceMessage {
  topic: string;
  partition: number;
  offset: number;
  /** Record timestamp, epoch ms. */
  timestamp: number;
  key: string | null;
  value: string | null;
}

/** A record as consumed: its value still the bytes Kafka delivered (text where a caller has text, as tests do). */
export interface ConsumedMessage extends Omit<SourceMessage, 'value'> {
  value: Buffer | string | null;
}

export type RejectReason = 'malformed' | 'too-large' | 'unloadable';

/** `bytes`: the record's size as consumed; `heldBytes`: about what the row keeps of it (a body left out is not held). */
export type MappedRow = { ok: true; row: Row; bytes: number; heldBytes: number } | { ok: false; reason: RejectReason; detail: string };

export interface MappingOptions {
  source: SinkSource;
  bodies: BodiesMode;
  maxRowBytes: number;
}

/** Record fields that become typed columns, per column (first match wins), read from the record itself. */
const FIELD_OF: Partial<Record<string, string[]>> = {
  url: ['url'],
  host: ['host'],
  final_url: ['final_url'],
  status: ['status'],
  content_type: ['content_type'],
  bytes: ['bytes'],
  truncated: ['truncated'],
  fetched_at: ['fetched_at', 'failed_at', 'extracted_at'],
  elapsed_ms: ['elapsed_ms'],
  crawl_id: ['crawl_id'],
  depth: ['depth'],
  referrer: ['referrer'],
  canonical: ['canonical'],
  customer_id: ['customer_id'],
  worker: ['worker'],
  reason: ['reason'],
  headers: ['headers'],
};

/** The typed columns with the record fields they take, in column order. */
const TYPED_FIELDS = COLUMNS.flatMap((column, index) => (FIELD_OF[column.name] ? [{ column, index, fields: FIELD_OF[column.name]! }] : []));

/** Envelope fields that errors and dlq records carry inside `original` (the URL envelope they failed on). */
const FROM_ORIGINAL = ['url', 'host', 'crawl_id', 'depth', 'referrer', 'customer_id'];

const INT_MAX = 2_147_483_647;

/** The value as text (the bytes decoded as UTF-8). */
export function valueText(value: Buffer | string | null): string | null {
  return value === null || typeof value === 'string' ? value : value.toString();
}

export function mapRecord(message: ConsumedMessage, opts: MappingOptions): MappedRow {
  const value = message.value;
  const size = value === null ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.length;
  if (size > opts.maxRowBytes) return { ok: false, reason: 'too-large', detail: `record of ${size} bytes is over --max-row-bytes (${opts.maxRowBytes})` };
  let record: unknown;
  // A body that will not be stored is cut out of the bytes undecoded (cut-member.ts says why); `dropped` counts it.
  let dropped = 0;
  let text: string | null | undefined;
  if (value !== null && opts.bodies === 'none') {
    const cut = cutStringMember(typeof value === 'string' ? Buffer.from(value) : value, 'body');
    if (cut) {
      text = cut.json;
      dropped = cut.cutBytes;
    }
  }
  if (text === undefined) text = valueText(value);
  try {
    record = text === null ? null : JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: 'malformed', detail: `not JSON: ${(err as Error).message}` };
  }
  if (!isObject(record)) return { ok: false, reason: 'malformed', detail: 'not a JSON object' };

  const row: Row = new Array<CellValue>(COLUMNS.length).fill(null);
  // The fields that went to typed columns; every other one (but the body) goes to `data`. Built by picking, not by
  // cloning the record and deleting from the clone: a delete turns an object into a slow dictionary.
  const used: string[] = [];
  for (const { column, index, fields } of TYPED_FIELDS) {
    for (const field of fields) {
      const value = typed(record[field], column.type);
      if (value === undefined) continue;
      row[index] = value;
      used.push(field);
      break;
    }
  }
  let rest: Record<string, unknown> | null = null;
  for (const key in record) {
    if (key === 'body' || used.includes(key)) continue;
    rest ??= {};
    // An own "__proto__" member (JSON.parse makes one) stays a member; an assignment would set the prototype.
    if (key === '__proto__') Object.defineProperty(rest, key, { value: record[key], enumerable: true, writable: true, configurable: true });
    else rest[key] = record[key];
  }
  const original = record.original;
  if (isObject(original)) {
    for (const field of FROM_ORIGINAL) {
      const i = COLUMN_INDEX[field]!;
      if (row[i] !== null) continue;
      const value = typed(original[field], COLUMNS[i]!.type);
      if (value !== undefined) row[i] = value;
    }
  }
  // An extractions record names the page's canonical URL in its built-in metadata (it also stays in data).
  const page = record.page;
  if (row[COLUMN_INDEX.canonical!] === null && isObject(page) && typeof page.canonical_url === 'string') row[COLUMN_INDEX.canonical!] = page.canonical_url;
  if (row[COLUMN_INDEX.host!] === null && typeof row[COLUMN_INDEX.url!] === 'string') row[COLUMN_INDEX.host!] = hostKey(row[COLUMN_INDEX.url!] as string);
  // Which fetch is newest is decided by fetched_at: a record without one is as new as its Kafka timestamp.
  if (row[COLUMN_INDEX.fetched_at!] === null) row[COLUMN_INDEX.fetched_at!] = new Date(message.timestamp);
  const body = record.body;
  if (opts.bodies === 'text' && typeof body === 'string') row[COLUMN_INDEX.body!] = body;
  else if (typeof body === 'string') dropped += Buffer.byteLength(body);
  row[COLUMN_INDEX.data!] = rest;
  row[COLUMN_INDEX.kafka_topic!] = message.topic;
  row[COLUMN_INDEX.kafka_partition!] = message.partition;
  row[COLUMN_INDEX.kafka_offset!] = message.offset;
  row[COLUMN_INDEX.kafka_timestamp!] = new Date(message.timestamp);
  return { ok: true, row, bytes: size, heldBytes: Math.max(64, size - dropped) };
}

/** The value as the column's type, or undefined when it is not of that type (it then stays in `data`). */
function typed(value: unknown, type: ColumnType): CellValue | undefined {
  if (value === undefined || value === null) return undefined;
  switch (type) {
    case 'text': return typeof value === 'string' ? value : undefined;
    case 'int': return Number.isInteger(value) && Math.abs(value as number) <= INT_MAX ? value as number : undefined;
    case 'bigint': return Number.isSafeInteger(value) ? value as number : undefined;
    case 'boolean': return typeof value === 'boolean' ? value : undefined;
    // Epoch milliseconds, as every kscrape record writes times; within years 1970..9999.
    case 'timestamptz': return Number.isFinite(value) && (value as number) >= 0 && (value as number) < 253_402_300_800_000 ? new Date(value as number) : undefined;
    case 'jsonb': return isObject(value) ? value : undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
