/**
 * The fetch flags of `kscrape work`, declared once: `addFetchOptions(cmd)` adds them, `fetcherOptionsFromFlags`
 * turns the parsed values into FetcherOptions (bad values throw a UserError naming the flag).
 */
import { Option, type Command } from 'commander';
import { formatDuration, parseDuration, parsePositiveInt, parseSize } from '../units.js';
import { UserError } from '../errors.js';
import { FETCHER_DEFAULTS, type FetcherOptions } from './options.js';

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
const collectWhole = (value: string, previous: string[] = []) => [...previous, value];

/** The commander options for fetching, with their defaults in the help text. */
export function fetchOptions(): Option[] {
  const d = FETCHER_DEFAULTS;
  return [
    new Option('--user-agent <text>', 'User-Agent header; robots.txt rules are matched against its first word').default(d.userAgent),
    new Option('--timeout <duration>', 'limit for a whole fetch, redirects and body included').default(formatDuration(d.timeoutMs)),
    new Option('--connect-timeout <duration>', 'limit for DNS plus TCP/TLS connect, per hop').default(formatDuration(d.connectTimeoutMs)),
    new Option('--max-page-bytes <size>', 'body bytes kept, counted after decompression; longer bodies are cut and marked truncated').default('1MiB'),
    new Option('--max-redirects <n>', 'redirects followed before the URL is an error (reason redirect)').default(String(d.maxRedirects)),
    new Option('--accept <types>', 'media types fetched, comma-separated (text/*, * for all); others end as unsupported-content').default(d.accept.join(',')),
    new Option('--resolve <host:port:addr>', 'pin a name to addresses like curl (port may be *); repeatable; still guarded (default: none, DNS decides)').argParser(collectWhole),
    new Option('--allow-private', 'turn the address guard off: loopback, private and cloud-metadata addresses become reachable').default(false),
    new Option('--allow-cidr <cidr>', 'allow this non-public block anyway (e.g. 10.20.0.0/16); repeatable or comma-separated (default: none, only public addresses)').argParser(collect),
    new Option('--ignore-robots', 'do not fetch or obey robots.txt').default(false),
  ];
}

export function addFetchOptions(cmd: Command): Command {
  for (const option of fetchOptions()) cmd.addOption(option);
  return cmd;
}

/** The parsed values of the fetch flags, as commander names them. */
export interface FetchFlags {
  userAgent?: string;
  timeout?: string;
  connectTimeout?: string;
  maxPageBytes?: string;
  maxRedirects?: string;
  accept?: string;
  resolve?: string[];
  allowPrivate?: boolean;
  allowCidr?: string[];
  ignoreRobots?: boolean;
}

export function fetcherOptionsFromFlags(flags: FetchFlags): Partial<FetcherOptions> {
  const out: Partial<FetcherOptions> = {};
  if (flags.userAgent !== undefined) out.userAgent = flags.userAgent;
  if (flags.timeout !== undefined) out.timeoutMs = positive(parseDuration(flags.timeout, '--timeout'), '--timeout');
  if (flags.connectTimeout !== undefined) out.connectTimeoutMs = positive(parseDuration(flags.connectTimeout, '--connect-timeout'), '--connect-timeout');
  if (flags.maxPageBytes !== undefined) out.maxPageBytes = positive(parseSize(flags.maxPageBytes, '--max-page-bytes'), '--max-page-bytes');
  if (flags.maxRedirects !== undefined) out.maxRedirects = flags.maxRedirects === '0' ? 0 : parsePositiveInt(flags.maxRedirects, '--max-redirects');
  if (flags.accept !== undefined) {
    const accept = flags.accept.split(',').map((t) => t.trim()).filter(Boolean);
    if (accept.some((t) => t !== '*' && !/^[\w.+-]+\/(\*|[\w.+-]+)$/.test(t))) {
      throw new UserError(`--accept: '${flags.accept}' is not a list of media types (example: text/html,application/json)`, 'usage.bad-accept');
    }
    out.accept = accept;
  }
  if (flags.resolve !== undefined) out.resolve = flags.resolve;
  if (flags.allowPrivate !== undefined) out.allowPrivate = flags.allowPrivate;
  if (flags.allowCidr !== undefined) out.allowCidrs = flags.allowCidr;
  if (flags.ignoreRobots !== undefined) out.ignoreRobots = flags.ignoreRobots;
  return out;
}

function positive(n: number, flag: string): number {
  if (n <= 0) throw new UserError(`${flag}: must be greater than zero`, 'usage.bad-number');
  return n;
}
