/**
 * The reliability audit's arithmetic, pure: given every URL that was produced and every place a URL was seen
 * ending (an outcome topic or a file), which URLs have no outcome (lost), how many outcomes came twice or more
 * (duplicates: expected without --eos, since kscrape is at-least-once), and what was seen that nobody produced.
 */

/** Where a URL can end. Topics are read with read_committed; files are the CLI's own JSON-lines files. */
export type OutcomePlace = 'pages' | 'errors' | 'dlq' | 'parked' | 'urls' | 'rejects' | 'fallback';

export interface Observation {
  url: string;
  place: OutcomePlace;
}

/** How the run delivered: only 'at-least-once' exists today; `--eos` runs will report 'exactly-once'. */
export type DeliveryMode = 'at-least-once' | 'exactly-once';

export interface AuditReport {
  mode: DeliveryMode;
  /** Distinct URLs produced. */
  urls: number;
  /** Distinct produced URLs with at least one outcome. */
  withOutcome: number;
  /** Produced URLs with no outcome at all (must be empty). */
  lost: string[];
  /** Outcomes beyond the first, summed over URLs (0 is required with exactly-once). */
  duplicates: number;
  /** URLs with more than one outcome. */
  duplicatedUrls: number;
  /** URLs that ended in two different places (say pages and dlq): a worse kind of duplicate. */
  splitUrls: number;
  /** Outcomes of URLs that were not produced in this run (another test's, or a bug). */
  unexpected: number;
  /** Every outcome counted by place, duplicates included. */
  byPlace: Partial<Record<OutcomePlace, number>>;
}

export function joinOutcomes(expected: Iterable<string>, observations: Iterable<Observation>, mode: DeliveryMode = 'at-least-once'): AuditReport {
  const seen = new Map<string, Set<OutcomePlace>>();
  const counts = new Map<string, number>();
  const wanted = new Set(expected);
  const byPlace: Partial<Record<OutcomePlace, number>> = {};
  let unexpected = 0;
  for (const o of observations) {
    byPlace[o.place] = (byPlace[o.place] ?? 0) + 1;
    if (!wanted.has(o.url)) { unexpected++; continue; }
    counts.set(o.url, (counts.get(o.url) ?? 0) + 1);
    let places = seen.get(o.url);
    if (!places) seen.set(o.url, (places = new Set()));
    places.add(o.place);
  }
  let duplicates = 0;
  let duplicatedUrls = 0;
  let splitUrls = 0;
  for (const [url, n] of counts) {
    if (n > 1) { duplicates += n - 1; duplicatedUrls++; }
    if (seen.get(url)!.size > 1) splitUrls++;
  }
  const lost = [...wanted].filter((u) => !counts.has(u));
  return { mode, urls: wanted.size, withOutcome: counts.size, lost, duplicates, duplicatedUrls, splitUrls, unexpected, byPlace };
}

/** One line for logs and RELIABILITY.md's table. */
export function formatAudit(name: string, r: AuditReport): string {
  const places = Object.entries(r.byPlace).map(([p, n]) => `${p} ${n}`).join(', ');
  return `[audit] ${name}: ${r.urls} URLs, ${r.lost.length} lost, ${r.duplicates} duplicates (${r.duplicatedUrls} URLs, `
    + `${r.splitUrls} in two places), ${r.unexpected} unexpected; ${places || 'no outcomes'} [${r.mode}]`
    + (r.lost.length ? `\n[audit] ${name}: lost e.g. ${r.lost.slice(0, 5).join(' ')}` : '');
}
