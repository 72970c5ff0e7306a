/**
 * `npm run bench -- work [--quick] [--redis] [--part=politeness,throughput,memory] [--concurrency=64]
 * [--hosts=200] [--worker-node-args='--cpu-prof --cpu-prof-dir=/tmp/prof'] [--worker-args='--delivery-buffer 16MiB']`: `kscrape work` as operators run it (topics created and URLs
 * produced with the CLI, a 12-partition urls topic, the real fetcher), against HTTP targets on distinct loopback
 * addresses served by a separate process that stamps every arrival.
 *
 * 1. Politeness at scale: H hosts at one request per --host-delay each; achieved rate / allowed over the
 *    steady-state window (see _work-analysis.ts), and spacing violations (strict, and beyond 10 % noise).
 * 2. Unthrottled throughput against Crawlee's HttpCrawler: the same URLs, concurrency 64; kscrape through
 *    Kafka (produced first, `kscrape work --host-delay 0` timed), Crawlee from a file. Wall clock from spawn to
 *    exit, and the fetch phase (first to last arrival at the targets). Rounds alternate kscrape/Crawlee.
 * 3. Memory: the worker's peak RSS (VmHWM) with 1 MiB pages at concurrency 64.
 *
 * --part=politeness-nice (not in the default set) repeats part 1 with the worker at nice -10, to tell the
 * worker's own scheduling from CPU starvation on a shared machine. The targets process runs on SCHED_FIFO (chrt;
 * nice -10 where that is refused) so its arrival stamps are not delayed by the machine's load.
 * --redis uses KSCRAPE_REDIS_URL for the limiter (the distributed set-up); by default it is in-process.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { arrivalRate, politenessReport } from './_work-analysis.js';
import { CRAWLEE_RUNNER, dropTopics as dropTopicsOf, kscrape, loopbackHosts, runNode, startTargets, type ProcResult, type Targets } from './_work-procs.js';
import type { BenchOptions } from './index.js';

const MEMWATCH = fileURLToPath(new URL('./_work-memwatch.js', import.meta.url));
const brokers = process.env.KSCRAPE_BROKERS ?? '127.0.0.1:9092';
/** Fetches in flight for both sides (--concurrency=N to change, e.g. to see how memory grows with it). */
let CONCURRENCY = 64;
/** Node flags for every `kscrape work` run (--worker-node-args=..., e.g. '--cpu-prof --cpu-prof-dir=/tmp/p'). */
let WORKER_NODE_ARGS: string[] = [];
/** Extra `kscrape work` flags for every worker of the run (--worker-args='--delivery-buffer 16MiB'). */
let WORKER_ARGS: string[] = [];
const URL_PARTITIONS = 12;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const say = (line: string) => process.stderr.write(`${line}\n`);

interface Pipeline { env: Record<string, string>; prefix: string }

async function pipeline(id: string, urls: string[], dir: string, redisUrl: string | undefined): Promise<Pipeline> {
  const prefix = `${id}.`;
  const env = { KSCRAPE_BROKERS: brokers, KSCRAPE_TOPIC_PREFIX: prefix, ...(redisUrl ? { KSCRAPE_REDIS_URL: redisUrl } : {}) };
  await kscrape(['topics', 'create', '--replication-factor', '1', '--partitions', `urls=${URL_PARTITIONS}`], env);
  const file = join(dir, `${id}.txt`);
  writeFileSync(file, `${urls.join('\n')}\n`);
  const produced = JSON.parse((await kscrape(['produce', file, '--json'], env)).stdout) as { delivered: number };
  if (produced.delivered !== urls.length) throw new Error(`produced ${produced.delivered} of ${urls.length}`);
  return { env, prefix };
}

const dropTopics = (prefix: string) => dropTopicsOf(brokers, prefix);

/** Every host's n URLs, interleaved host by host (a mixed feed, as a crawl frontier produces). */
function interleaved(origins: string[], perHost: number): string[] {
  const urls: string[] = [];
  for (let i = 0; i < perHost; i++) for (const o of origins) urls.push(`${o}/page/${i}.html`);
  return urls;
}

interface WorkSummary { consumed: number; pages: number; errors: number; dlq: number }

function workArgs(count: number, extra: string[]): string[] {
  return ['work', '--group', `bench-${Date.now().toString(36)}`, '--allow-cidr', '127.0.10.0/24', '--concurrency', String(CONCURRENCY),
    '--max-messages', String(count), '--status-interval', '2s', '--json', ...extra, ...WORKER_ARGS];
}

function checkSummary(r: ProcResult, count: number): WorkSummary {
  const s = JSON.parse(r.stdout.trim().split('\n').pop()!) as WorkSummary;
  if (s.consumed !== count || s.pages !== count) throw new Error(`work: ${JSON.stringify(s)} (expected ${count} pages)\n${r.stderr.slice(-1500)}`);
  return s;
}

/** How starved the worker's event loop was: on-CPU and runnable-but-waiting seconds of its main thread. */
const cpuLine = (r: ProcResult) => `  worker main thread: ${fmt(r.cpuSeconds!, 1)} s on a CPU, ${fmt(r.runQueueSeconds!, 1)} s runnable but waiting for one, of ${fmt(r.seconds, 1)} s; peak RSS ${fmt(r.peakRssMb!)} MB`;

const statusLines = (r: ProcResult) => r.stderr.split('\n').filter((l) => l.includes('status:')).map((l) => `    ${l.replace(/^.*status: /, '')}`);

async function politeness(targets: Targets, dir: string, opts: { hosts: number; delayMs: number; seconds: number; redisUrl?: string; workerNice?: number }): Promise<string[]> {
  const origins = targets.origins.slice(0, opts.hosts);
  const perHost = Math.ceil((opts.seconds * 1000) / opts.delayMs);
  const urls = interleaved(origins, perHost);
  const id = `bench-work-pol-${Date.now().toString(36)}`;
  const p = await pipeline(id, urls, dir, opts.redisUrl);
  try {
    await targets.reset();
    const loadBefore = load();
    const r = await kscrape(workArgs(urls.length, ['--host-delay', `${opts.delayMs}ms`]), p.env, { pollRss: true, nodeArgs: WORKER_NODE_ARGS, ...(opts.workerNice === undefined ? {} : { priority: opts.workerNice }) });
    checkSummary(r, urls.length);
    const c = await targets.collect();
    const hostArrivals = Object.fromEntries(origins.map((o) => new URL(o).hostname).map((h) => [h, c.arrivals[h] ?? []]));
    const rep = politenessReport(hostArrivals, opts.delayMs);
    const robots = Object.values(c.robots).reduce((a, b) => a + b, 0);
    return [
      `politeness: ${opts.hosts} hosts × ${fmt(1000 / opts.delayMs, 1)} req/s (--host-delay ${opts.delayMs}ms), ${fmt(urls.length)} URLs + robots.txt (allow all), ` +
        `limiter ${opts.redisUrl ? 'Redis' : 'in-process'}${opts.workerNice === undefined ? '' : `, worker at nice ${opts.workerNice}`}; load ${loadBefore} → ${load()}`,
      `  steady-state window ${fmt(rep.window.seconds, 1)} s (all hosts visited once + one interval → first host out of URLs), run ${fmt(r.seconds, 1)} s`,
      `  achieved ${fmt(rep.inWindow / rep.window.seconds, 1)} req/s of ${fmt(rep.allowed / rep.window.seconds, 1)} allowed: fraction ${rep.fraction.toFixed(3)} (goal ≥ 0.95)`,
      `  violations (${fmt(rep.gaps)} gaps, ${robots} robots.txt): strict ${rep.strict} (short by < 1 ms: ${rep.strictUnder1Ms}, < 5 ms: ${rep.strictUnder5Ms}), ` +
        `beyond 10 %: ${rep.beyondNoise} (goal 0); smallest gap ${rep.minGapMs.toFixed(2)} ms`,
      `  targets' event-loop delay p50 ${c.loopDelayMs.p50} ms, p99 ${c.loopDelayMs.p99} ms, max ${c.loopDelayMs.max} ms; connections ${Object.values(c.sockets).reduce((a, b) => a + b, 0)}`,
      cpuLine(r), '  worker status lines:', ...statusLines(r).slice(-4),
    ];
  } finally {
    await dropTopics(p.prefix).catch(() => undefined);
  }
}

interface SideRun { wallRate: number; fetchRate: number; sockets: number; seconds: number; cpu: number; waiting: number; rss: number }

async function throughput(targets: Targets, dir: string, opts: { count: number; hosts: number; rounds: number }): Promise<string[]> {
  const origins = targets.origins.slice(0, opts.hosts);
  const urls = interleaved(origins, Math.ceil(opts.count / opts.hosts)).slice(0, opts.count);
  const file = join(dir, 'throughput-urls.txt');
  writeFileSync(file, `${urls.join('\n')}\n`);
  const k: SideRun[] = [];
  const c: SideRun[] = [];
  const side = async (run: () => Promise<ProcResult>): Promise<SideRun> => {
    await targets.reset();
    const r = await run();
    const got = await targets.collect();
    const rate = arrivalRate(got.arrivals);
    if (rate.count !== urls.length) throw new Error(`targets saw ${rate.count} requests, expected ${urls.length}`);
    return {
      wallRate: urls.length / r.seconds, fetchRate: rate.perSecond, sockets: Object.values(got.sockets).reduce((a, b) => a + b, 0), seconds: r.seconds,
      cpu: r.cpuSeconds!, waiting: r.runQueueSeconds!, rss: r.peakRssMb!,
    };
  };
  const loadBefore = load();
  for (let round = 0; round < opts.rounds; round++) {
    const id = `bench-work-tp-${Date.now().toString(36)}`;
    const p = await pipeline(id, urls, dir, undefined);
    try {
      k.push(await side(async () => {
        const r = await kscrape(workArgs(urls.length, ['--host-delay', '0', '--ignore-robots']), p.env, { pollRss: true, nodeArgs: WORKER_NODE_ARGS });
        checkSummary(r, urls.length);
        return r;
      }));
    } finally {
      await dropTopics(p.prefix).catch(() => undefined);
    }
    c.push(await side(async () => {
      const r = await runNode(CRAWLEE_RUNNER, [file, String(CONCURRENCY)], { pollRss: true });
      const out = JSON.parse(r.stdout.trim() || '{}') as { succeeded?: number; failed?: number };
      if (r.code !== 0 || out.succeeded !== urls.length) throw new Error(`crawlee: exit ${r.code} ${r.stdout} ${r.stderr.slice(-1500)}`);
      return r;
    }));
    say(`round ${round + 1}: kscrape ${k[round]!.seconds.toFixed(1)} s, crawlee ${c[round]!.seconds.toFixed(1)} s`);
  }
  const perRound = (name: string, rs: SideRun[]) => `  ${name} main thread by round: ${rs.map((r) => `${fmt(r.cpu, 1)} s on a CPU + ${fmt(r.waiting, 1)} s waiting for one, of ${fmt(r.seconds, 1)} s; ${fmt(r.rss)} MB`).join(' | ')}`;
  const mean = (rs: SideRun[], f: (r: SideRun) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;
  const [kw, cw, kf, cf] = [mean(k, (r) => r.wallRate), mean(c, (r) => r.wallRate), mean(k, (r) => r.fetchRate), mean(c, (r) => r.fetchRate)];
  return [
    `throughput: ${fmt(urls.length)} URLs over ${opts.hosts} hosts (${fmt(2048)}-byte pages), concurrency ${CONCURRENCY}, no politeness, ` +
      `mean of ${opts.rounds} round${opts.rounds > 1 ? 's' : ''}; load ${loadBefore} → ${load()}`,
    `  kscrape work (Kafka → fetch → pages topic): ${fmt(kw)} pages/s spawn→exit, ${fmt(kf)} pages/s fetch phase; connections ${k.map((r) => r.sockets).join('/')}`,
    `  Crawlee HttpCrawler (URL file, in memory):  ${fmt(cw)} pages/s spawn→exit, ${fmt(cf)} pages/s fetch phase; connections ${c.map((r) => r.sockets).join('/')}`,
    perRound('kscrape', k), perRound('Crawlee', c),
    `  ratio kscrape/Crawlee: ${(kw / cw).toFixed(2)} spawn→exit, ${(kf / cf).toFixed(2)} fetch phase (goal ≥ 1)`,
  ];
}

async function memory(dir: string, opts: { count: number; hosts: number }): Promise<string[]> {
  const targets = await startTargets({ addresses: loopbackHosts(opts.hosts), bodyBytes: 1024 * 1024 });
  const id = `bench-work-mem-${Date.now().toString(36)}`;
  try {
    const urls = interleaved(targets.origins, Math.ceil(opts.count / opts.hosts)).slice(0, opts.count);
    const p = await pipeline(id, urls, dir, undefined);
    const loadBefore = load();
    const memFile = join(dir, 'memwatch.json');
    const r = await kscrape(workArgs(urls.length, ['--host-delay', '0', '--ignore-robots', '--max-page-bytes', '1MiB']), { ...p.env, BENCH_MEMWATCH_FILE: memFile }, {
      pollRss: true, nodeArgs: ['--import', pathToFileURL(MEMWATCH).href, ...WORKER_NODE_ARGS],
    });
    checkSummary(r, urls.length);
    const m = JSON.parse(readFileSync(memFile, 'utf8')) as { atPeakRss: Record<string, number>; peaks: Record<string, number> };
    const a = m.atPeakRss as { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
    return [
      `memory: ${fmt(urls.length)} pages of 1 MiB over ${opts.hosts} hosts, concurrency ${CONCURRENCY}, --max-page-bytes 1MiB${WORKER_ARGS.length ? ` ${WORKER_ARGS.join(' ')}` : ''}${WORKER_NODE_ARGS.length ? `, node ${WORKER_NODE_ARGS.join(' ')}` : ''}; load ${loadBefore} → ${load()}`,
      `  worker peak RSS (VmHWM) ${fmt(r.peakRssMb!)} MB (goal < 300 MB); ${fmt(urls.length / r.seconds, 1)} pages/s, ${fmt(urls.length / r.seconds, 1)} MiB/s spawn→exit`,
      `  at peak RSS (${a.rss} MB, process.memoryUsage): V8 heap ${a.heapTotal} MB (${a.heapUsed} MB used), external ${a.external} MB ` +
        `(Buffers ${a.arrayBuffers} MB), the rest ${a.rss - a.heapTotal - a.external} MB (native: librdkafka, code, stacks); ` +
        `peaks: heap used ${m.peaks.heapUsed} MB, external ${m.peaks.external} MB`,
      cpuLine(r), '  worker status lines:', ...statusLines(r).slice(-4),
    ];
  } finally {
    await targets.stop();
    await dropTopics(`${id}.`).catch(() => undefined);
  }
}

export async function run({ quick, args }: BenchOptions): Promise<void> {
  const concurrencyArg = args.find((a) => a.startsWith('--concurrency='));
  if (concurrencyArg) CONCURRENCY = Number(concurrencyArg.slice('--concurrency='.length));
  WORKER_NODE_ARGS = args.find((a) => a.startsWith('--worker-node-args='))?.slice('--worker-node-args='.length).split(' ').filter(Boolean) ?? [];
  WORKER_ARGS = args.find((a) => a.startsWith('--worker-args='))?.slice('--worker-args='.length).split(' ').filter(Boolean) ?? [];
  const redisUrl = args.includes('--redis') ? process.env.KSCRAPE_REDIS_URL : undefined;
  if (args.includes('--redis') && !redisUrl) throw new Error('--redis needs KSCRAPE_REDIS_URL');
  const only = args.find((a) => a.startsWith('--part='))?.slice('--part='.length).split(',') ?? [];
  const want = (part: string) => (only.length ? only.includes(part) : part !== 'politeness-nice');
  const dir = mkdtempSync(join(tmpdir(), 'kscrape-bench-work-'));
  const hosts = Number(args.find((a) => a.startsWith('--hosts='))?.slice('--hosts='.length) ?? (quick ? 50 : 200));
  const out: string[] = [`date ${new Date().toISOString()}, brokers ${brokers}, load average ${load()}`];
  const targets = await startTargets({ addresses: loopbackHosts(200), bodyBytes: 2048, robots: 'User-agent: *\nAllow: /\n' });
  try {
    const pol = { hosts, delayMs: 200, seconds: quick ? 6 : 25, ...(redisUrl ? { redisUrl } : {}) };
    if (want('politeness')) out.push(...await politeness(targets, dir, pol));
    // The same with the worker ahead of the other engineers' processes: what kscrape's scheduling does when it gets a CPU.
    if (want('politeness-nice')) out.push(...await politeness(targets, dir, { ...pol, workerNice: -10 }));
    if (want('throughput')) out.push(...await throughput(targets, dir, { count: quick ? 4_000 : 20_000, hosts: 200, rounds: quick ? 1 : 2 }));
  } finally {
    await targets.stop();
  }
  try {
    if (want('memory')) out.push(...await memory(dir, { count: quick ? 256 : 1_280, hosts: 200 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
