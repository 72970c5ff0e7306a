/** The pure rules that decide whether a sitemap entry is emitted (or a child sitemap fetched). */
import { UserError } from '../errors.js';
import { politenessHost } from '../records/index.js';
import { parseDuration } from '../units.js';

/**
 * `--since`: a date (`2026-11-01`, `2026-11-01T12:00:00Z`) or a duration back from now (`7d`, `12h`), as epoch ms.
 */
export function parseSince(text: string, now: number): number {
  if (/^\s*\d+(\.\d+)?\s*(ms|s|m|h|d)?\s*$/i.test(text)) return now - parseDuration(text, '--since');
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}/.test(text.trim()) || Number.isNaN(ms)) {
    throw new UserError(`--since: '${text}' is neither a date (2026-11-01, 2026-11-01T12:00:00Z) nor a duration (7d, 12h)`, 'usage.bad-since');
  }
  return ms;
}

/**
 * True when a `<lastmod>` (W3C datetime: `2026-11-01`, `2026-11-01T10:00+01:00`) is before `sinceMs`. An entry
 * without a lastmod, or with one that does not parse, is not older: nothing says it is.
 */
export function olderThan(lastmod: string | undefined, sinceMs: number | undefined): boolean {
  if (sinceMs === undefined || !lastmod) return false;
  const ms = Date.parse(lastmod);
  return !Number.isNaN(ms) && ms < sinceMs;
}

/** --include (any matches, when given) and --exclude (none matches). */
export function passesPatterns(url: string, include: readonly RegExp[], exclude: readonly RegExp[]): boolean {
  if (include.length > 0 && !include.some((re) => re.test(url))) return false;
  return !exclude.some((re) => re.test(url));
}

/** The flag's texts as regular expressions; a bad one is a UserError naming the flag. */
export function compilePatterns(patterns: readonly string[], flag: string): RegExp[] {
  return patterns.map((p) => {
    try {
      return new RegExp(p);
    } catch (err) {
      throw new UserError(`${flag}: '${p}' is not a regular expression (${(err as Error).message})`, 'usage.bad-regex');
    }
  });
}

/**
 * The sitemaps protocol's host rule: a sitemap speaks for URLs of its own host; one listed in a host's
 * robots.txt may also list that host's URLs (cross-submission). `allowedHosts` holds those hosts.
 */
export function onAllowedHost(url: string, allowedHosts: ReadonlySet<string>): boolean {
  const host = politenessHost(url);
  return host !== undefined && allowedHosts.has(host);
}

/** A command-line argument as a sitemap to read, or a site whose sitemaps robots.txt (else /sitemap.xml) names. */
export function classifyTarget(text: string): { kind: 'site' | 'sitemap'; url: URL } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`'${text}' is not a URL (give a sitemap URL or a site root like http://shop.test/)`, 'usage.bad-url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`'${text}': only http and https sitemaps are read`, 'usage.bad-url');
  return { kind: url.pathname === '/' && !url.search ? 'site' : 'sitemap', url };
}
