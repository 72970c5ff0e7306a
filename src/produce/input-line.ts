/**
 * One input line to one URL envelope (or a reason to refuse it). Two formats: a plain URL per line, or a JSON
 * object per line `{"url", "customer_id"?, "priority"?, "discovered_at"?, "attempt"?, "crawl_id"?, "depth"?,
 * "referrer"?, "seed"?}`. The JSON form is also
 * what the fallback file holds, so replaying it keeps customer, priority, attempt and discovery time.
 * Pure: no I/O, no clock (the caller passes `now`).
 */
import { buildUrlEnvelope, type CrawlFields, type UrlEnvelope, type UrlRejectReason } from '../records/index.js';

export const INPUT_FORMATS = ['auto', 'text', 'jsonl'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

export type RejectReason = UrlRejectReason | 'bad-json' | 'bad-field';

export interface LineDefaults {
  customerId: string;
  priority: number;
  maxUrlLength: number;
  /** `--crawl`: every URL is a seed of this crawl (depth 0) unless its JSON line names a crawl of its own. */
  crawlId?: string;
}

export type ParsedLine =
  | { kind: 'skip' }
  | { kind: 'envelope'; envelope: UrlEnvelope }
  | { kind: 'reject'; reason: RejectReason; detail: string };

const SKIP: ParsedLine = { kind: 'skip' };
const MAX_CUSTOMER_ID = 256;

export function parseInputLine(line: string, format: InputFormat, defaults: LineDefaults, now: number): ParsedLine {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return SKIP;
  // auto decides per line, so a file may mix plain URLs with JSON lines (a fallback file appended to a list).
  const json = format === 'jsonl' || (format === 'auto' && text.startsWith('{'));
  const crawl = defaults.crawlId === undefined ? undefined : { crawlId: defaults.crawlId, depth: 0 };
  return json ? parseJsonLine(text, defaults, now) : envelopeOf(text, defaults.customerId, defaults.priority, now, 0, defaults.maxUrlLength, crawl);
}

function parseJsonLine(text: string, defaults: LineDefaults, now: number): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'reject', reason: 'bad-json', detail: 'not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'reject', reason: 'bad-json', detail: 'expected a JSON object with a "url" field' };
  }
  const o = value as Record<string, unknown>;
  if (typeof o.url !== 'string') return badField('url', 'a string');
  const customerId = o.customer_id ?? defaults.customerId;
  if (typeof customerId !== 'string' || customerId === '' || customerId.length > MAX_CUSTOMER_ID) {
    return badField('customer_id', `a non-empty string of at most ${MAX_CUSTOMER_ID} characters`);
  }
  const priority = o.priority ?? defaults.priority;
  if (!Number.isSafeInteger(priority)) return badField('priority', 'a whole number');
  const discoveredAt = o.discovered_at ?? now;
  if (!Number.isSafeInteger(discoveredAt) || (discoveredAt as number) < 0) return badField('discovered_at', 'epoch milliseconds');
  const attempt = o.attempt ?? 0;
  if (!Number.isSafeInteger(attempt) || (attempt as number) < 0) return badField('attempt', 'a whole number >= 0');
  const crawl = crawlFieldsOf(o, defaults.crawlId);
  if (typeof crawl === 'string') return badField(crawl, crawl === 'depth' ? 'a whole number >= 0' : 'a non-empty string');
  return envelopeOf(o.url, customerId, priority as number, discoveredAt as number, attempt as number, defaults.maxUrlLength, crawl);
}

/**
 * A JSON line's crawl fields (a fallback file replays discovered URLs with them), else the --crawl default as a
 * seed; the name of the first bad field instead.
 */
function crawlFieldsOf(o: Record<string, unknown>, crawlId: string | undefined): CrawlFields | undefined | string {
  const id = o.crawl_id ?? crawlId;
  if (id === undefined) return undefined;
  if (typeof id !== 'string' || id === '') return 'crawl_id';
  const depth = o.depth ?? 0;
  if (!Number.isSafeInteger(depth) || (depth as number) < 0) return 'depth';
  if (o.referrer !== undefined && (typeof o.referrer !== 'string' || o.referrer === '')) return 'referrer';
  if (o.seed !== undefined && (typeof o.seed !== 'string' || o.seed === '')) return 'seed';
  return {
    crawlId: id, depth: depth as number,
    ...(o.referrer !== undefined ? { referrer: o.referrer as string } : {}),
    ...(o.seed !== undefined ? { seed: o.seed as string } : {}),
  };
}

function envelopeOf(url: string, customerId: string, priority: number, discoveredAt: number, attempt: number, maxLength: number, crawl: CrawlFields | undefined): ParsedLine {
  const built = buildUrlEnvelope({ url, customerId, priority, discoveredAt, attempt, ...(crawl ? { crawl } : {}) }, maxLength);
  return built.ok ? { kind: 'envelope', envelope: built.envelope } : { kind: 'reject', reason: built.reason, detail: built.detail };
}

function badField(field: string, expected: string): ParsedLine {
  return { kind: 'reject', reason: 'bad-field', detail: `"${field}" must be ${expected}` };
}
