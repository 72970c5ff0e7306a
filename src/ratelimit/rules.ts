/**
 * Which rate rules a URL must pass, from the politeness flags. Parsing is pure (the file's text is handed in),
 * so every mistake is a UserError naming the flag (and the file's line) before any worker starts.
 *
 * Precedence for a host: `--host-rate` > `--host-rate-file` > `--host-delay`. Hosts match exactly
 * (lowercased, no port): `example.com` does not cover `www.example.com`.
 */
import { readFileSync } from 'node:fs';
import { Option } from 'commander';
import { UserError, errorMessage } from '../errors.js';
import { politenessHost } from '../records/index.js';
import { parseDuration, parseRate } from '../units.js';
import type { RateRule } from './limiter.js';

export interface RateConfig {
  /** Spacing for hosts without an override; 0 = no default host limit. */
  hostDelayMs: number;
  /** Per-host spacing, ms, by lowercased host name. */
  hostIntervalMs: Map<string, number>;
  /** Per-customer spacing, ms. */
  customerIntervalMs: Map<string, number>;
  /** Extra admissions at once after idle time, for every rule. */
  burst: number;
}

/** The raw flag values, as commander hands them over. */
export interface RawRateOptions {
  hostDelay: string;
  hostRate?: string[];
  hostRateFile?: string;
  customerRate?: string[];
  rateBurst: string;
  redisRequired?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export const DEFAULT_HOST_DELAY = '1.5s';

/** The politeness options of `kscrape work`, declared once: `rateLimitOptions().forEach((o) => cmd.addOption(o))`. */
export function rateLimitOptions(): Option[] {
  return [
    new Option('--host-delay <duration>', 'minimum time between two requests to one host, over all workers (0 = none)').default(DEFAULT_HOST_DELAY),
    new Option('--host-rate <host=rate>', 'rate for one host instead of --host-delay, e.g. example.com=4/s; repeatable (default: none, every host gets --host-delay)').argParser(collect),
    new Option('--host-rate-file <file>', "per-host rates, one 'host rate' per line (# comments); --host-rate wins (default: none)"),
    new Option('--customer-rate <customer=rate>', 'rate for all URLs of one customer, e.g. acme=20/s (in addition to the host rate); repeatable (default: none, no customer limit)').argParser(collect),
    new Option('--rate-burst <n>', 'extra requests a host or customer may receive at once after idle time (0 = evenly spaced)').default('0'),
    new Option('--redis-required', 'pause fetching while Redis is unreachable instead of falling back to in-process limits').default(false),
  ];
}

/** Builds the config from the flags; reads --host-rate-file (the only I/O, injectable for tests). */
export function buildRateConfig(raw: RawRateOptions, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): RateConfig {
  const hostDelayMs = parseDuration(raw.hostDelay, '--host-delay');
  const burst = Number(raw.rateBurst);
  if (!Number.isInteger(burst) || burst < 0) throw new UserError(`--rate-burst: '${raw.rateBurst}' must be a whole number >= 0`, 'usage.bad-number');
  const hostIntervalMs = new Map<string, number>();
  if (raw.hostRateFile) {
    let text: string;
    try {
      text = readFile(raw.hostRateFile);
    } catch (err) {
      throw new UserError(`--host-rate-file: cannot read ${raw.hostRateFile}: ${errorMessage(err)}`, 'usage.bad-file', err);
    }
    for (const [host, ms] of parseHostRateFile(text, raw.hostRateFile)) hostIntervalMs.set(host, ms);
  }
  for (const item of raw.hostRate ?? []) {
    const [host, ms] = parseAssignment(item, '--host-rate', 'example.com=4/s');
    hostIntervalMs.set(normalizeHost(host, '--host-rate'), ms);
  }
  const customerIntervalMs = new Map<string, number>();
  for (const item of raw.customerRate ?? []) {
    const [customer, ms] = parseAssignment(item, '--customer-rate', 'acme=20/s');
    customerIntervalMs.set(customer, ms);
  }
  return { hostDelayMs, hostIntervalMs, customerIntervalMs, burst };
}

/** `host rate` lines; blank lines and `#` comments are skipped. Errors name the file and line. */
export function parseHostRateFile(text: string, fileName: string): Map<string, number> {
  const out = new Map<string, number>();
  text.split(/\r?\n/).forEach((line, i) => {
    const content = line.replace(/#.*/, '').trim();
    if (!content) return;
    const where = `--host-rate-file ${fileName}:${i + 1}`;
    const parts = content.split(/\s+/);
    if (parts.length !== 2) throw new UserError(`${where}: expected 'host rate' (e.g. 'example.com 4/s'), got '${content}'`, 'usage.bad-rate');
    out.set(normalizeHost(parts[0]!, where), intervalOf(parts[1]!, where));
  });
  return out;
}

/** The rules for one URL (or bare host): its host's rule and, when the customer has a rate, the customer's. */
export function rulesFor(config: RateConfig, urlOrHost: string, customer?: string): RateRule[] {
  const host = hostOf(urlOrHost);
  const rules: RateRule[] = [];
  const hostMs = config.hostIntervalMs.get(host) ?? config.hostDelayMs;
  if (hostMs > 0) rules.push({ key: `host:${host}`, intervalMs: hostMs, burst: config.burst });
  const customerMs = customer === undefined ? undefined : config.customerIntervalMs.get(customer);
  if (customerMs !== undefined) rules.push({ key: `customer:${customer}`, intervalMs: customerMs, burst: config.burst });
  return rules;
}

/** The politeness host (lowercased, punycode, no port) of a URL or bare host; an unparsable one, lowercased. */
function hostOf(urlOrHost: string): string {
  return politenessHost(urlOrHost) ?? urlOrHost.toLowerCase();
}

function normalizeHost(text: string, where: string): string {
  if (!text || /[/:\s=]/.test(text)) throw new UserError(`${where}: '${text}' is not a host name (e.g. example.com)`, 'usage.bad-host');
  return hostOf(text);
}

function parseAssignment(item: string, flag: string, example: string): [string, number] {
  const eq = item.lastIndexOf('=');
  const name = item.slice(0, eq).trim();
  if (eq <= 0 || !name) throw new UserError(`${flag}: '${item}' must look like ${example}`, 'usage.bad-rate');
  return [name, intervalOf(item.slice(eq + 1), flag)];
}

function intervalOf(rateText: string, where: string): number {
  return 1000 / parseRate(rateText, where);
}
