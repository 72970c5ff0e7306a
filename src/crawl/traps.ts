/**
 * Crawler traps: URL shapes that generate pages without end (`/a/a/a/...` from a relative link on a page that
 * answers every path, session ids and filters piling up in the query, ever-longer URLs). Pure checks on one
 * URL; an infinite calendar (`/cal/2026/12` → `/cal/2027/01` → ...) has an ordinary shape and is ended by
 * `--max-depth` and the page caps instead. Redirect loops are ended by the fetcher (fetch/redirects.ts).
 */
export interface TrapLimits {
  /** Longest URL followed, in characters (normalized). */
  maxUrlLength: number;
  /** Times one path segment may appear in a URL's path. */
  maxSegmentRepeats: number;
  /** Path segments at most. */
  maxPathSegments: number;
  /** Query parameters at most. */
  maxQueryParams: number;
}

export const TRAP_DEFAULTS: TrapLimits = { maxUrlLength: 2048, maxSegmentRepeats: 3, maxPathSegments: 32, maxQueryParams: 16 };

export type TrapReason = 'url-too-long' | 'path-repetition' | 'path-too-deep' | 'too-many-params';

/** Why the URL looks like a trap, or undefined. */
export function trapReason(url: URL, limits: TrapLimits): TrapReason | undefined {
  if (url.href.length > limits.maxUrlLength) return 'url-too-long';
  const segments = url.pathname.split('/').filter((s) => s !== '');
  if (segments.length > limits.maxPathSegments) return 'path-too-deep';
  if (segments.length > limits.maxSegmentRepeats) {
    const counts = new Map<string, number>();
    for (const s of segments) {
      const n = (counts.get(s) ?? 0) + 1;
      if (n > limits.maxSegmentRepeats) return 'path-repetition';
      counts.set(s, n);
    }
  }
  if (url.search.length > 1) {
    let params = 1;
    for (let i = 1; i < url.search.length; i++) if (url.search.charCodeAt(i) === 0x26 /* & */) params++;
    if (params > limits.maxQueryParams) return 'too-many-params';
  }
  return undefined;
}
