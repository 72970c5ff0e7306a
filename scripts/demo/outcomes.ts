/**
 * Where every URL of a pipeline ended, counted from the records of its topics (pure: the values come from
 * topic-reader.ts). A URL's fate is its latest outcome: a page, an error (by reason), a DLQ record still
 * waiting for its retry, or parked by `dlq retry`. Two checks make "nothing lost" concrete:
 * - every expected URL (the sitemap) has an outcome;
 * - every record of the urls topic (first attempts and re-emits) has an outcome record: per URL, pages + errors
 *   + dlq records >= urls records. Delivery is at least once, so more outcomes than records is fine.
 */
import type { DlqRecord, ErrorRecord, PageRecord, UrlEnvelope } from '../../src/records/index.js';
import type { FinalOutcome } from './shop-site.js';

export interface PipelineRecords {
  urls: readonly (string | null)[];
  pages: readonly (string | null)[];
  errors: readonly (string | null)[];
  dlq: readonly (string | null)[];
  parked: readonly (string | null)[];
}

export interface DemoSummary {
  /** URLs expected to have an outcome. */
  expected: number;
  /** Records per topic. */
  records: { urls: number; pages: number; errors: number; dlq: number; parked: number };
  /** Final fate of each URL seen in any topic or expected. */
  fates: Map<string, FinalOutcome>;
  counts: { pages: number; errors: Record<string, number>; dlq: number; parked: number };
  /** Expected URLs with no outcome at all. */
  lost: string[];
  /** URLs with more urls-topic records than outcome records (consumed but not finished, or never consumed). */
  unfinished: string[];
  /** Records that were not JSON of the expected shape. */
  unreadable: number;
}

interface Event { outcome: FinalOutcome; at: number }

// On equal times the later step of the flow wins: a DLQ record, then its page or error, then its parking.
const RANK: Record<string, number> = { dlq: 0, page: 1, error: 1, parked: 2 };
const rank = (o: FinalOutcome) => RANK[o.split(':')[0]!] ?? 1;

export function summarizePipeline(expectedUrls: readonly string[], topics: PipelineRecords): DemoSummary {
  let unreadable = 0;
  const parse = <T>(value: string | null): T | undefined => {
    try { if (value !== null) return JSON.parse(value) as T; } catch { /* counted below */ }
    unreadable++;
    return undefined;
  };
  const events = new Map<string, Event[]>();
  const outcomesPerUrl = new Map<string, number>();
  const add = (url: string | null | undefined, outcome: FinalOutcome, at: number | undefined, isOutcome = true) => {
    if (typeof url !== 'string') { unreadable++; return; }
    events.set(url, [...(events.get(url) ?? []), { outcome, at: at ?? 0 }]);
    if (isOutcome) outcomesPerUrl.set(url, (outcomesPerUrl.get(url) ?? 0) + 1);
  };
  for (const v of topics.pages) { const r = parse<PageRecord>(v); if (r) add(r.url, 'page', r.fetched_at); }
  for (const v of topics.errors) { const r = parse<ErrorRecord>(v); if (r) add(r.url, `error:${r.reason}`, r.failed_at); }
  for (const v of topics.dlq) { const r = parse<DlqRecord>(v); if (r) add(r.original?.url, 'dlq', r.failed_at); }
  // Parking is not a fetch outcome of a urls record (its DLQ record was): it only settles the URL's fate.
  for (const v of topics.parked) { const r = parse<ErrorRecord>(v); if (r) add(r.url, 'parked', r.failed_at, false); }

  const urlRecords = new Map<string, number>();
  for (const v of topics.urls) {
    const r = parse<UrlEnvelope>(v);
    if (typeof r?.url === 'string') urlRecords.set(r.url, (urlRecords.get(r.url) ?? 0) + 1);
    else if (r) unreadable++;
  }

  const fates = new Map<string, FinalOutcome>();
  for (const [url, list] of events) {
    const last = [...list].sort((a, b) => a.at - b.at || rank(a.outcome) - rank(b.outcome)).pop()!;
    fates.set(url, last.outcome);
  }
  const counts: DemoSummary['counts'] = { pages: 0, errors: {}, dlq: 0, parked: 0 };
  for (const fate of fates.values()) {
    if (fate === 'page') counts.pages++;
    else if (fate === 'dlq') counts.dlq++;
    else if (fate === 'parked') counts.parked++;
    else { const reason = fate.slice('error:'.length); counts.errors[reason] = (counts.errors[reason] ?? 0) + 1; }
  }
  return {
    expected: expectedUrls.length,
    records: { urls: topics.urls.length, pages: topics.pages.length, errors: topics.errors.length, dlq: topics.dlq.length, parked: topics.parked.length },
    fates, counts, unreadable,
    lost: expectedUrls.filter((u) => !fates.has(u)),
    unfinished: [...urlRecords].filter(([url, n]) => (outcomesPerUrl.get(url) ?? 0) < n).map(([url]) => url),
  };
}

/** Expected URLs whose fate differs from what was expected (url, expected, got). */
export function mismatches(summary: DemoSummary, expected: ReadonlyMap<string, FinalOutcome>): { url: string; expected: FinalOutcome; got: FinalOutcome | 'none' }[] {
  return [...expected].filter(([url, want]) => summary.fates.get(url) !== want)
    .map(([url, want]) => ({ url, expected: want, got: summary.fates.get(url) ?? 'none' }));
}

/** The summary as the demo prints it: one line per fate, then the checks. */
export function renderSummary(s: DemoSummary): string {
  const errorTotal = Object.values(s.counts.errors).reduce((a, b) => a + b, 0);
  const pad = (n: number) => String(n).padStart(4);
  const lines = [
    `${pad(s.fates.size)}  URLs with an outcome (${s.expected} expected)`,
    `${pad(s.counts.pages)}  pages`,
    `${pad(errorTotal)}  errors${errorTotal ? `: ${Object.entries(s.counts.errors).sort().map(([r, n]) => `${r} ${n}`).join(', ')}` : ''}`,
    `${pad(s.counts.dlq)}  dlq (waiting for the next retry)`,
    `${pad(s.counts.parked)}  parked (dlq retry gave up: for people to review)`,
    `records: urls ${s.records.urls}, pages ${s.records.pages}, errors ${s.records.errors}, dlq ${s.records.dlq}, dlq.parked ${s.records.parked}`,
    `${s.lost.length} lost${s.lost.length ? `: ${s.lost.slice(0, 5).join(' ')}${s.lost.length > 5 ? ' …' : ''}` : ''}` +
      `, ${s.unfinished.length} unfinished${s.unfinished.length ? `: ${s.unfinished.slice(0, 5).join(' ')}` : ''}` +
      (s.unreadable ? `, ${s.unreadable} unreadable records` : ''),
  ];
  return `${lines.join('\n')}\n`;
}
