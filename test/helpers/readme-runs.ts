/**
 * How each runnable README example is run and what it must show. `match` is a piece of the example's text that
 * names exactly one example. Two chains run side by side, each in the order listed: `alone` needs no state in
 * Kafka; `pipeline` builds it up as a user would (topics, produce, work, then the commands that read the result),
 * which is not the README's order (it documents work before produce). The commands that run until stopped
 * (Ctrl-C) run last, side by side: SIGINT after a few seconds, and they must exit 0 as the README says.
 */
import { expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult, Sandbox } from './readme-sandbox.js';

export interface RunSpec {
  match: string;
  /** `stopped` ones run side by side once the pipeline chain is done (they find nothing left to do). */
  chain: 'alone' | 'pipeline' | 'stopped';
  /** For a command that runs until stopped: SIGINT after this long (exit 0 expected, as the README says). */
  stopAfterMs?: number;
  probe?: (sb: Sandbox) => Promise<unknown>;
  /** Appended to the example in the same shell (e.g. to look at what `source` did). */
  then?: string;
  /** Run first in the same shell: the state the example expects (e.g. URLs of the local site waiting). */
  given?: (sb: Sandbox) => string;
  /** Exit statuses accepted; default [0]. */
  codes?: number[];
  check?: (r: RunResult, sb: Sandbox) => void;
}

const json = (s: string): unknown => JSON.parse(s);
const lines = (s: string) => s.split('\n').filter(Boolean);
const STOP_MS = 5_000;
/** Valid URLs the produce examples deliver: urls.txt three times, seeds+more, the sitemap, tasks, the fallback file. */
const PRODUCED = 2 * 3 + 2 + 2 + 1 + 1;
const stoppedByCtrlC = (r: RunResult) => expect(r.stderr).toMatch(/stopping: SIGINT received(.|\n)*\ndone: /);

export const RUN_SPECS: RunSpec[] = [
  // --- needs no state in Kafka
  { match: 'check --brokers 127.0.0.1:9092 --timeout 5s', chain: 'alone', check: (r) => expect(r.stdout).toMatch(/^cluster OK: 1 broker\(s\) listed, controller broker 1$/m) },
  { match: 'check --redis redis://127.0.0.1:6379 --json', chain: 'alone', check: (r) => expect(json(r.stdout)).toMatchObject({ status: 'OK', exit_code: 0, kafka: { brokers: [{ answered: true }] }, redis: { ok: true } }) },
  { match: 'config --role producer -X linger.ms=50', chain: 'alone', check: (r) => expect(r.stdout).toMatch(/linger\.ms\s*=?\s*50/) },
  { match: `config --json | jq -r '."bootstrap.servers"'`, chain: 'alone', check: (r) => expect(r.stdout.trim()).toBe(process.env.KSCRAPE_TEST_BROKERS) },
  { match: 'source <(kscrape completion bash)', chain: 'alone', then: 'complete -p kscrape', check: (r) => expect(r.stdout).toMatch(/complete .* kscrape/) },
  { match: 'completion bash > ~/', chain: 'alone', check: (_r, sb) => expect(readFileSync(join(sb.dir, 'home/.local/share/bash-completion/completions/kscrape'), 'utf8')).toMatch(/partition-audit/) },
  { match: 'completion zsh >', chain: 'alone', check: (_r, sb) => expect(readFileSync(join(sb.dir, 'zfunc/_kscrape'), 'utf8')).toMatch(/#compdef kscrape/) },
  { match: 'completion fish >', chain: 'alone', check: (_r, sb) => expect(readFileSync(join(sb.dir, 'home/.config/fish/completions/kscrape.fish'), 'utf8')).toMatch(/complete -c kscrape/) },
  // the stats as the README describes them: columns two spaces apart, the mean with two significant digits
  { match: 'partition-audit urls.txt', chain: 'alone', check: (r) => {
    expect(r.stdout).toMatch(/^2 URLs, 2 hosts, 50 partitions/);
    expect(r.stdout).toMatch(/^ {2}layout {3}skew {4}CV {2}hot {2}empty {2}max {3}mean\n {2}host {4}25\.00 {2}4\.90 {4}0 {5}48 {4}1 {2}0\.040$/m);
  } },
  { match: 'zcat urls-*.txt.gz', chain: 'alone', check: (r) => expect(r.stdout).toMatch(/^3 URLs, 2 hosts, 200 partitions(.|\n)*skew/) },
  { match: 'limits show example.com news.example.org', chain: 'alone', check: (r) => { expect(r.stdout).toMatch(/host:example\.com\s+now \(no state\)/); expect(r.stdout).toMatch(/host:news\.example\.org/); } },
  // the shop's sitemap, its URLs on stdout and the summary on stderr
  { match: 'sitemap http://shop.test/ --resolve', chain: 'alone', check: (_r, sb) => {
    expect(readFileSync(join(sb.dir, 'shop-urls.txt'), 'utf8').trim().split('\n')).toEqual([`${sb.origin['shop.test']}/p/3`, `${sb.origin['shop.test']}/p/8`]);
    expect(json(readFileSync(join(sb.dir, 'sitemap-summary.json'), 'utf8').trim().split('\n').pop()!)).toMatchObject({ urls: 2 });
  } },
  { match: 'crawl2. limits show --limit 50', chain: 'alone', check: (r) => expect(lines(r.stdout)).toEqual([expect.stringMatching(/^KEY\s+NEXT IN\s+RATE/)]) },

  // --- the pipeline, in the order a user builds it
  { match: 'topics create --dry-run', chain: 'pipeline', check: (r) => expect(r.stdout).toMatch(/urls/) },
  { match: 'topics create --brokers kafka-1:9092', chain: 'pipeline', check: (r) => expect(r.stdout).toMatch(/urls/) },
  { match: 'staging. topics create --replication-factor 1 --json', chain: 'pipeline', check: (r, sb) => expect(r.stdout).toContain(`${sb.prefix}staging.urls`) },
  // exit 0: the only differences left are 200 partitions where 100 are planned (kept, Kafka cannot remove any) and
  // dlq's retention, which --fix sets back to the planned 30 d
  { match: 'topics create --partitions urls=100 --fix', chain: 'pipeline', check: (r) => { expect(r.stdout).toMatch(/more than the planned 100 .*kept/); expect(r.stdout).toMatch(/fixed .*dlq /); } },
  { match: 'topics create --retention urls=3d --fix --dry-run', chain: 'pipeline', check: (r) => expect(r.stdout + r.stderr).toMatch(/retention/i) },
  { match: `topics list | awk -F'\\t' '$5 != "lz4"'`, chain: 'pipeline', check: (r) => expect(lines(r.stdout)).toHaveLength(1) },
  { match: 'topics list | sort', chain: 'pipeline', check: (r, sb) => { expect(r.stdout).toContain(`${sb.prefix}urls`); expect(r.stdout).toContain(`${sb.prefix}dlq`); } },
  { match: 'staging. topics describe urls dlq --json', chain: 'pipeline', check: (r, sb) => expect(r.stdout).toContain(`${sb.prefix}staging.dlq`) },
  { match: 'cat urls.txt | kscrape produce', chain: 'pipeline', check: (r) => expect(r.stderr).toMatch(/^2 URLs delivered.*\nrejected 2 \(whitespace 1, unsupported-scheme 1\)/) },
  { match: 'produce seeds.txt more.txt --rejects rejects.jsonl', chain: 'pipeline', check: (r, sb) => {
    expect(r.stderr).toMatch(/^2 URLs delivered/);
    expect(readFileSync(join(sb.dir, 'rejects.jsonl'), 'utf8')).toMatch(/unsupported-scheme/);
  } },
  { match: 'kscrape sitemap https://example.com/ | kscrape produce -\n', chain: 'pipeline', check: (r) => expect(r.stderr).toMatch(/^2 URLs delivered/m) },
  { match: '--format jsonl tasks.jsonl', chain: 'pipeline', check: (r) => expect(r.stderr).toMatch(/^1 URLs delivered.*\nrejected 0, duplicates skipped 0/) },
  { match: 'produce urls.txt.fallback-', chain: 'pipeline', check: (r) => expect(r.stderr).toMatch(/^1 URLs delivered.*\nrejected 0,/) },
  { match: '--partitioner fair', chain: 'pipeline', check: (r) => expect(json(r.stdout)).toMatchObject({ delivered: 2, failed: 0 }) },
  { match: 'produce urls.txt --rejects bad.jsonl --json', chain: 'pipeline', check: (r) => expect(json(r.stdout)).toEqual({ whitespace: 1, 'unsupported-scheme': 1 }) },
  { match: 'partition-audit --sample 10000', chain: 'pipeline', check: (r) => expect(r.stdout).toMatch(new RegExp(`^${PRODUCED} URLs, 3 hosts, 200 partitions(.|\\n)*skew`)) },
  { match: 'partition-audit --since 1h --json', chain: 'pipeline', check: (r) => expect(typeof json(r.stdout)).toBe('string') },
  { match: 'work --max-messages 10000 --idle-exit 30s', chain: 'pipeline', check: (_r, sb) => {
    expect(json(readFileSync(join(sb.dir, 'summary.json'), 'utf8'))).toMatchObject({ pages: PRODUCED - 2, errors: 1, dlq: 1, limiter: { fallbackActivations: 0, redisErrors: 0, redisTimeouts: 0, fallbackGrants: 0 } });
  } },
  // the pages so far into PostgreSQL (a database of the run's own), then the table and the sink's lag
  { match: 'sink postgres --from pages --dsn postgres://postgres@127.0.0.1:5432/crawl --idle-exit 30s --json', chain: 'pipeline',
    check: (r) => expect(json(r.stdout)).toMatchObject({ table: 'kscrape_pages', mode: 'upsert', consumed: PRODUCED - 2, rows: PRODUCED - 2, rejected: 0 }) },
  { match: '--dsn postgres://postgres@127.0.0.1:5432/crawl --check', chain: 'pipeline', check: (r) => {
    expect(r.stdout).toMatch(/^table kscrape_pages: upsert mode, schema version 1, \d+ rows/);
    expect(r.stdout).toMatch(/^group sink-pages on \S+pages: lag 0$/m);
  } },
  // the local test site: three fresh URLs of shop.test, fetched 200 ms apart by the one worker of the group
  { match: 'work --resolve shop.test:80:127.0.1.5', chain: 'pipeline', stopAfterMs: 8_000,
    given: (sb) => `printf '%s\\n' ${[5, 6, 7].map((n) => `${sb.origin['shop.test']}/p/${n}`).join(' ')} | kscrape produce - 2>/dev/null`,
    check: (r) => { stoppedByCtrlC(r); expect(r.stderr).toMatch(/\ndone: .* pages 3 · errors 0 · dlq 0/); } },
  { match: `limits show --json | jq`, chain: 'pipeline', check: (r) => expect(lines(r.stdout)).toEqual(['"host:cdn.test"']) },
  // off a terminal: only the rows on stdout, the summary and the verdict on stderr
  { match: 'lag --group scrapers\n', chain: 'pipeline', check: (r, sb) => {
    expect(r.stdout).toContain(`${sb.prefix}urls`);
    expect(lines(r.stdout).filter((l) => !/^(GROUP|scrapers)\s/.test(l))).toEqual([]);
    expect(r.stderr).toMatch(/state .*\nOK\n/);
  } },
  // every group of the shared test cluster, other tests' included: their state decides the worst status
  { match: 'lag --all-groups --json', chain: 'pipeline', codes: [0, 1, 2, 3], check: (r) => expect(r.stdout).toMatch(/"group": "scrapers"/) },
  { match: 'check_scrape_lag', chain: 'pipeline', check: (r) => expect(r.stdout.trim()).toMatch(/^OK - \d+ URLs behind$/) },
  { match: 'lag --group scrapers --watch 2s', chain: 'pipeline', stopAfterMs: 7_000, check: (r, sb) => {
    // a report every 2 s: at least two in 7 s (start-up included), each with its total row and its header on stderr
    expect(lines(r.stdout).filter((l) => l.startsWith(`scrapers  ${sb.prefix}urls`) && /\stotal\s/.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(r.stderr.split('kscrape lag --watch').length - 1).toBeGreaterThanOrEqual(2);
  } },
  { match: 'dlq stats\n', chain: 'pipeline', check: (r) => expect(lines(r.stdout).filter((l) => l.split('\t').length !== 3)).toEqual([]) },
  { match: 'dlq stats --json', chain: 'pipeline', check: (r, sb) => expect(r.stdout).toContain(new URL(sb.origin['cdn.test']).host) },
  { match: `dlq stats | awk`, chain: 'pipeline', check: (r) => expect(lines(r.stdout).length).toBeGreaterThan(0) },
  { match: 'dlq retry --dry-run | head', chain: 'pipeline', check: (r) => expect(r.stdout).toMatch(/busy/) },
  { match: 'dlq retry --once --json', chain: 'pipeline', check: (r) => expect(r.stdout.trim()).toBe('0') },
  { match: 'dlq retry --once --eos --worker-id retry-1', chain: 'pipeline', check: (r) => expect(r.stdout).toMatch(/^re-emitted 0, parked 0/) },
  { match: 'dlq retry --cooldown 30m', chain: 'stopped', stopAfterMs: STOP_MS, check: (r) => expect(r.stdout).toMatch(/^re-emitted 0, parked 0/) },
  { match: 'work --group scrapers --concurrency 128', chain: 'stopped', stopAfterMs: STOP_MS,
    probe: (sb) => metricsText(sb.metricsPort),
    check: (r) => { expect(String(r.probe)).toMatch(/kscrape_limiter_fallback_grants_total/); stoppedByCtrlC(r); } },
  { match: 'work --host-delay 2s --host-rate example.com=4/s\n', chain: 'stopped', stopAfterMs: STOP_MS, check: stoppedByCtrlC },

  { match: 'work --eos --worker-id scraper-7', chain: 'stopped', stopAfterMs: STOP_MS, check: stoppedByCtrlC },
  { match: '--customer-rate acme=20/s', chain: 'stopped', stopAfterMs: STOP_MS, check: stoppedByCtrlC },
  { match: '--host-rate-file politeness.txt --redis-required', chain: 'stopped', stopAfterMs: STOP_MS, check: stoppedByCtrlC },
];

/** The worker's /metrics, asked again every 250 ms for up to 10 s while it starts on a busy machine. */
async function metricsText(port: number): Promise<string> {
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    } catch (err) {
      if (Date.now() > until) return `no /metrics on 127.0.0.1:${port} within 10 s: ${(err as Error).message}`;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** The spec of an example, by its text; a `match` ending in a newline must end the example. */
export function specFor(text: string): RunSpec[] {
  return RUN_SPECS.filter((s) => (s.match.endsWith('\n') ? text.endsWith(s.match.trimEnd()) : text.includes(s.match)));
}

