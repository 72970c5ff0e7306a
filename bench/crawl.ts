/**
 * `npm run bench -- crawl [--quick] [--side=kscrape,crawlee] [--host-delay=100] [--concurrency=64]
 * [--pages-per-host=200] [--workers=2] [--log-dir=DIR]` (DIR: each kscrape worker's stderr, worker-N.log): a generated site of 20 000 pages over 100 loopback hosts (bench/_crawl-site.ts, served
 * by bench/_crawl-server.ts in its own process, which records every request) crawled from its 100 roots, in the
 * same run, by
 *
 *   kscrape: a fresh topic prefix, `kscrape topics create`, `kscrape produce --crawl bench` of the roots, then two
 *     `kscrape work --follow --scope host` workers with Redis dedupe (KSCRAPE_REDIS_URL) and `--idle-exit`;
 *   Crawlee: CheerioCrawler + enqueueLinks (same-hostname), bench/_crawl-crawlee.ts, one process;
 *
 * both with the same per-host delay (--host-delay, ms) and fetch concurrency (per process). Measured at the
 * server: pages/s (distinct pages / spawn → the last page request), completeness (distinct pages / pages reachable
 * in scope, counted from the graph), duplicate fetches (requests beyond the first for a page), requests for no
 * page (a link resolved wrongly), robots.txt requests, gaps between two requests to one host shorter than the
 * delay (the delay held on both sides); and each process's peak RSS (VmHWM), spawn → exit.
 * The goal: kscrape ≥ 1.0× Crawlee's pages/s with 100 % completeness and 0 duplicates; the bench fails when
 * kscrape misses completeness or duplicates (correctness), not on speed.
 *
 * The names siteNNN.test are pinned to 127.0.2.NNN (kscrape --resolve, Crawlee a lookup of its own: Crawlee's
 * per-domain delay ignores IP hosts), and every crawler process is started with bench/_no-dns.js, which makes any
 * DNS lookup fail instead of leaving the machine. A build without `kscrape work --follow` runs the Crawlee side only.
 * --quick: 20 pages per host (2 000 pages).
 */
import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { hostAddress, hostName, reachable, type SiteShape } from './_crawl-site.js';
import type { Tally } from './_crawl-server.js';
import { BIN, dropTopics, kscrape, runNode, type ProcResult } from './_work-procs.js';
import type { BenchOptions } from './index.js';

const SERVER = fileURLToPath(new URL('./_crawl-server.js', import.meta.url));
const CRAWLEE = fileURLToPath(new URL('./_crawl-crawlee.js', import.meta.url));
const NO_DNS = fileURLToPath(new URL('./_no-dns.js', import.meta.url));
const brokers = process.env.KSCRAPE_BROKERS ?? '127.0.0.1:9092';
const URL_PARTITIONS = 12;
/** A side that has not fetched the whole site by then is stopped and reported incomplete. */
const SIDE_TIMEOUT_MS = 15 * 60_000;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const say = (line: string) => process.stderr.write(`${line}\n`);
const load = () => loadavg()[0]!.toFixed(1);

interface Server { origins: string[]; tally(delayMs: number): Promise<Tally>; reset(): Promise<void>; stop(): Promise<void> }

async function startServer(shape: SiteShape): Promise<Server> {
  const child = fork(SERVER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T>(type: string) => new Promise<T>((resolve, reject) => {
    const on = (msg: { type: string }) => { if (msg.type === type) { child.off('message', on); child.off('exit', onExit); resolve(msg as T); } };
    const onExit = (code: number | null) => reject(new Error(`crawl server exited (${code})`));
    child.on('message', on);
    child.once('exit', onExit);
  });
  const started = next<{ origins: string[] }>('started');
  child.send({ type: 'start', shape });
  const { origins } = await started;
  return {
    origins,
    tally: (delayMs) => { const r = next<Tally>('collected'); child.send({ type: 'collect', delayMs }); return r; },
    reset: async () => { const r = next('reset-done'); child.send({ type: 'reset' }); await r; },
    stop: () => new Promise((resolve) => { child.once('exit', () => resolve()); child.send({ type: 'stop' }); }),
  };
}

interface SideResult {
  side: string;
  tally: Tally;
  /** Spawn of the first crawler process. */
  startedAt: number;
  /** When the server had seen every reachable page (undefined: never). */
  completeAt: number | undefined;
  /** Spawn → the last process's exit. */
  seconds: number;
  /** Peak RSS per process (MB). */
  peakRssMb: number[];
  note: string;
}

/** Polls the server until every reachable page was requested; resolves with that time, or undefined at `until`. */
function watchCompletion(server: Server, reachablePages: number, until: Promise<unknown>): Promise<number | undefined> {
  return new Promise((resolve) => {
    let done = false;
    void until.then(() => { done = true; });
    let lastSaid = Date.now();
    const poll = async () => {
      const t = await server.tally(0);
      if (t.distinctPages >= reachablePages) { resolve(t.lastAt); return; }
      if (Date.now() - lastSaid >= 15_000) {
        lastSaid = Date.now();
        say(`    ${fmt(t.distinctPages)} of ${fmt(reachablePages)} pages, ${fmt(t.duplicates)} duplicates, load ${load()}`);
      }
      if (done) { resolve(undefined); return; }
      setTimeout(() => void poll(), 250);
    };
    void poll();
  });
}

async function crawleeSide(server: Server, rootsFile: string, p: Params): Promise<SideResult> {
  await server.reset();
  const startedAt = Date.now();
  const proc = runNode(CRAWLEE, [rootsFile, String(p.concurrency), String(p.hostDelayMs), String(p.maxDepth)],
    { pollRss: true, nodeArgs: ['--import', NO_DNS], timeoutMs: SIDE_TIMEOUT_MS });
  const completeAt = watchCompletion(server, p.reachablePages, proc);
  const r = await proc;
  if (r.code !== 0) throw new Error(`crawlee exited ${r.code}:\n${r.stderr.slice(-2000)}`);
  const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as { succeeded: number; failed: number; failures: Record<string, number> };
  const reasons = Object.entries(report.failures).map(([m, n]) => `${n}× ${m}`).join('; ');
  return {
    side: 'Crawlee CheerioCrawler', tally: await server.tally(p.hostDelayMs), startedAt, completeAt: await completeAt, seconds: r.seconds,
    peakRssMb: [r.peakRssMb ?? 0], note: `${report.succeeded} handled, ${report.failed} failed (no retries)${reasons ? `: ${reasons}` : ''}`,
  };
}

/** True when this build's `kscrape work` has crawl mode (`--follow`). */
function kscrapeCanFollow(): boolean {
  const help = spawnSync(BIN, ['work', '--help'], { encoding: 'utf8' });
  return help.status === 0 && help.stdout.includes('--follow');
}

async function kscrapeSide(server: Server, rootsFile: string, p: Params): Promise<SideResult> {
  const prefix = `kst-cbench-${Date.now().toString(36)}.`;
  const env = { KSCRAPE_BROKERS: brokers, KSCRAPE_TOPIC_PREFIX: prefix, KSCRAPE_REDIS_URL: p.redisUrl };
  try {
    await kscrape(['topics', 'create', '--replication-factor', '1', '--partitions', `urls=${URL_PARTITIONS}`], env);
    const produced = JSON.parse((await kscrape(['produce', rootsFile, '--crawl', 'bench', '--json'], env)).stdout) as { delivered: number };
    if (produced.delivered !== p.shape.hosts) throw new Error(`produce --crawl delivered ${produced.delivered} of ${p.shape.hosts} roots`);
    await server.reset();
    const pins = Array.from({ length: p.shape.hosts }, (_, h) => ['--resolve', `${hostName(h)}:*:${hostAddress(h)}`]).flat();
    const args = ['work', '--group', `cbench-${Date.now().toString(36)}`, '--follow', '--scope', 'host', '--max-depth', String(p.maxDepth),
      '--host-delay', `${p.hostDelayMs}ms`, '--concurrency', String(p.concurrency), '--idle-exit', '10s', '--allow-cidr', '127.0.2.0/24',
      '--status-interval', '5s', '--json', ...pins];
    const startedAt = Date.now();
    const procs = Array.from({ length: p.workers }, () => runNode(BIN, args, { env, pollRss: true, nodeArgs: ['--import', NO_DNS], timeoutMs: SIDE_TIMEOUT_MS }));
    const all = Promise.all(procs);
    const completeAt = watchCompletion(server, p.reachablePages, all);
    const results: ProcResult[] = await all;
    if (p.logDir) results.forEach((r, n) => writeFileSync(join(p.logDir!, `worker-${n + 1}.log`), r.stderr));
    const failed = results.find((r) => r.code !== 0);
    if (failed) throw new Error(`kscrape work exited ${failed.code}:\n${failed.stderr.slice(-2000)}`);
    const summaries = results.map((r) => JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>);
    return {
      side: `kscrape work --follow (${p.workers} worker${p.workers > 1 ? 's' : ''}, Redis dedupe)`, tally: await server.tally(p.hostDelayMs), startedAt, completeAt: await completeAt,
      seconds: Math.max(...results.map((r) => r.seconds)), peakRssMb: results.map((r) => r.peakRssMb ?? 0),
      note: `pages per worker ${summaries.map((s) => String(s.pages ?? '?')).join(' + ')}`,
    };
  } finally {
    await dropTopics(brokers, prefix).catch(() => undefined);
    await dropRedisKeys(p.redisUrl, prefix).catch((err: Error) => say(`could not delete the run's Redis keys: ${err.message}`));
  }
}

/** Deletes the run's Redis keys (dedupe sets, limiter state): every key that names the run's topic prefix. */
async function dropRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

interface Params { workers: number; logDir: string | undefined; shape: SiteShape; reachablePages: number; maxDepth: number; hostDelayMs: number; concurrency: number; redisUrl: string }

function flag(args: string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function report(r: SideResult, p: Params): { pagesPerSecond: number; line: string } {
  const t = r.tally;
  const fetchSeconds = t.lastAt ? (t.lastAt - r.startedAt) / 1000 : NaN;
  const pagesPerSecond = t.distinctPages / fetchSeconds;
  const completeness = t.distinctPages / p.reachablePages;
  const line = `| ${r.side} | ${fmt(pagesPerSecond)} | ${fmt(fetchSeconds, 1)} s | ${r.completeAt ? `${fmt((r.completeAt - r.startedAt) / 1000, 1)} s` : 'never'} `
    + `| ${fmt(r.seconds, 1)} s | ${fmt(t.distinctPages)} / ${fmt(p.reachablePages)} (${fmt(Math.floor(completeness * 10_000) / 100, 2)} %) | ${fmt(t.duplicates)} | ${fmt(t.notFound)} | ${fmt(t.robots)} `
    + `| ${fmt(t.gapsUnderDelay)} (${fmt(t.gapsUnder90)} under 90 %; smallest ${fmt(t.smallestGapMs, 1)} ms) | ${r.peakRssMb.map((m) => fmt(m)).join(' + ')} MB |`;
  return { pagesPerSecond, line };
}

export async function run(opts: BenchOptions): Promise<void> {
  const shape: SiteShape = { hosts: 100, pagesPerHost: Number(flag(opts.args, 'pages-per-host') ?? (opts.quick ? 20 : 200)) };
  const sides = (flag(opts.args, 'side') ?? 'kscrape,crawlee').split(',');
  const { pages: reachablePages, maxDepth: graphDepth } = reachable(shape);
  const p: Params = {
    workers: Number(flag(opts.args, 'workers') ?? 2),
    logDir: flag(opts.args, 'log-dir'),
    shape, reachablePages,
    // Deeper than any path a crawl can take inside one host (a page discovered first through a longer path keeps
    // that depth), so depth never cuts the crawl; the graph's own deepest shortest path is printed.
    maxDepth: shape.pagesPerHost,
    hostDelayMs: Number(flag(opts.args, 'host-delay') ?? 100),
    concurrency: Number(flag(opts.args, 'concurrency') ?? 64),
    redisUrl: process.env.KSCRAPE_REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
  const dir = mkdtempSync(join(tmpdir(), 'kscrape-bench-crawl-'));
  const server = await startServer(shape);
  const rootsFile = join(dir, 'roots.txt');
  writeFileSync(rootsFile, `${server.origins.map((o) => `${o}/`).join('\n')}\n`);
  say(`site: ${fmt(shape.hosts * shape.pagesPerHost)} pages over ${shape.hosts} hosts, ${fmt(reachablePages)} reachable in scope (deepest ${graphDepth}); `
    + `per-host delay ${p.hostDelayMs} ms (floor ${fmt(shape.pagesPerHost * p.hostDelayMs / 1000, 1)} s), concurrency ${p.concurrency} per process`);
  const results: SideResult[] = [];
  try {
    for (const side of sides) {
      const loadBefore = load();
      if (side === 'crawlee') {
        results.push(await crawleeSide(server, rootsFile, p));
      } else if (side === 'kscrape') {
        if (!kscrapeCanFollow()) { say('kscrape side skipped: this build\'s `kscrape work` has no --follow (crawl mode, issue 14)'); continue; }
        results.push(await kscrapeSide(server, rootsFile, p));
      } else {
        throw new Error(`--side: '${side}' is neither kscrape nor crawlee`);
      }
      say(`  ${results.at(-1)!.side}: done, load ${loadBefore} → ${load()}; ${results.at(-1)!.note}`);
      const t = results.at(-1)!.tally;
      if (t.duplicateExamples.length) say(`    duplicates, e.g. ${t.duplicateExamples.join(', ')}; by path over all hosts: ${t.duplicatePaths.join(', ')}`);
      if (t.notFoundExamples.length) say(`    requests for no page, e.g. ${t.notFoundExamples.join(', ')}`);
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  say('\n| crawler | pages/s | spawn → last page | spawn → site complete | spawn → exit | completeness | duplicate fetches | requests for no page | robots.txt | gaps under the per-host delay | peak RSS |');
  say('|---|---|---|---|---|---|---|---|---|---|---|');
  const rates = results.map((r) => report(r, p));
  for (const r of rates) say(r.line);
  const k = results.findIndex((r) => r.side.startsWith('kscrape'));
  const c = results.findIndex((r) => r.side.startsWith('Crawlee'));
  if (k >= 0 && c >= 0) say(`\nratio pages/s kscrape / Crawlee: ${fmt(rates[k]!.pagesPerSecond / rates[c]!.pagesPerSecond, 2)} (goal ≥ 1.0)`);
  if (k >= 0) {
    const t = results[k]!.tally;
    if (t.distinctPages < reachablePages || t.duplicates > 0) {
      throw new Error(`kscrape: ${t.distinctPages} of ${reachablePages} reachable pages fetched, ${t.duplicates} duplicate fetches (goal: all, 0)`);
    }
  }
}
