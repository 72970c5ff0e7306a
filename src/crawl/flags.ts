/**
 * The crawl flags of `kscrape work --follow`, declared once: `crawlOptions()` for commander (defaults from
 * CRAWL_DEFAULTS shown in --help), `crawlSettingsFromFlags()` back to CrawlSettings (bad values throw a
 * UserError naming the flag).
 */
import { Option } from 'commander';
import { UserError } from '../errors.js';
import { durationText, parseDuration } from '../units.js';
import { CRAWL_DEFAULTS as D, defaultCrawlSettings, type CrawlSettings } from './options.js';
import { SCOPE_MODES, type ScopeMode } from './scope.js';

export interface RawCrawlFlags {
  follow?: boolean;
  scope: ScopeMode;
  include?: string[];
  exclude?: string[];
  maxDepth: string;
  maxPagesPerHost: string;
  maxPages: string;
  refetchAfter: string;
  crawlTtl: string;
  ignoreNofollow?: boolean;
  ignoreRobotsMeta?: boolean;
  maxLinksPerPage: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function crawlOptions(): Option[] {
  return [
    new Option('--follow', 'crawl: queue the links of every HTML page (dedupe per crawl: shared through Redis with --redis, else per process only)').default(false),
    new Option('--scope <scope>', "--follow: links and redirects followed: the seed's host, its registrable domain, URLs under the seed's directory (prefix), or any").choices(SCOPE_MODES).default(D.scope),
    new Option('--include <regex>', '--follow: only links matching one of these are followed; repeatable (default: all in scope)').argParser(collect),
    new Option('--exclude <regex>', '--follow: links matching any of these are not followed; repeatable (default: none)').argParser(collect),
    new Option('--max-depth <n>', '--follow: links more than this many hops from their seed are not followed (seeds are 0)').default(String(D.maxDepth)),
    new Option('--max-pages-per-host <n>', '--follow: URLs queued per host and crawl at most, 0 = no cap').default(String(D.maxPagesPerHost)),
    new Option('--max-pages <n>', '--follow: URLs queued per crawl at most (seeds included), 0 = no cap').default(String(D.maxPages)),
    new Option('--refetch-after <duration>', '--follow: a URL may be queued again this long after its last fetch (periodic recrawls), 0 = never').default(durationText(D.refetchAfterMs)),
    new Option('--crawl-ttl <duration>', "--follow with --redis: a crawl's keys expire this long after its last activity").default(durationText(D.crawlTtlMs)),
    new Option('--ignore-nofollow', '--follow: follow rel=nofollow links too').default(D.ignoreNofollow),
    new Option('--ignore-robots-meta', '--follow: ignore nofollow/noindex in <meta name=robots> and X-Robots-Tag').default(D.ignoreRobotsMeta),
    new Option('--max-links-per-page <n>', '--follow: links taken from one page at most').default(String(D.maxLinksPerPage)),
  ];
}

function wholeNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new UserError(`${flag}: '${text}' must be a whole number >= 0`, 'usage.bad-number');
  return n;
}

function regexes(list: string[] | undefined, flag: string): RegExp[] {
  return (list ?? []).map((text) => {
    try {
      return new RegExp(text);
    } catch (err) {
      throw new UserError(`${flag}: '${text}' is not a regular expression (${(err as Error).message})`, 'usage.bad-regex');
    }
  });
}

/** The crawl settings, or undefined without --follow (crawl flags without it are refused: they would do nothing). */
export function crawlSettingsFromFlags(raw: RawCrawlFlags, given: (flag: string) => boolean): CrawlSettings | undefined {
  if (!raw.follow) {
    const stray = ['scope', 'include', 'exclude', 'maxDepth', 'maxPagesPerHost', 'maxPages', 'refetchAfter', 'crawlTtl', 'ignoreNofollow', 'ignoreRobotsMeta', 'maxLinksPerPage'].find(given);
    if (stray) throw new UserError(`--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --follow`, 'usage.needs-follow');
    return undefined;
  }
  const maxLinksPerPage = wholeNumber(raw.maxLinksPerPage, '--max-links-per-page');
  if (maxLinksPerPage === 0) throw new UserError('--max-links-per-page must be at least 1', 'usage.bad-number');
  return defaultCrawlSettings({
    scope: raw.scope,
    include: regexes(raw.include, '--include'),
    exclude: regexes(raw.exclude, '--exclude'),
    maxDepth: wholeNumber(raw.maxDepth, '--max-depth'),
    maxPagesPerHost: wholeNumber(raw.maxPagesPerHost, '--max-pages-per-host'),
    maxPages: wholeNumber(raw.maxPages, '--max-pages'),
    refetchAfterMs: parseDuration(raw.refetchAfter, '--refetch-after'),
    crawlTtlMs: parseDuration(raw.crawlTtl, '--crawl-ttl'),
    ignoreNofollow: Boolean(raw.ignoreNofollow),
    ignoreRobotsMeta: Boolean(raw.ignoreRobotsMeta),
    maxLinksPerPage,
  });
}
