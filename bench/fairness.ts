/**
 * `npm run bench -- fairness [--quick] [--only=a,b] [--lookahead=N]`: fairness under skew, the reference
 * guide's case study at a smaller scale.
 *
 * Workload: 2,500 URLs over 1,000 host names (quick: 500 over 200) on one loopback target (every name pinned
 * to 127.0.0.1 with --resolve; politeness is per host name), 3 big hosts with 40 % of the URLs (chosen on
 * different partitions), the rest Zipf-tailed; a 12-partition urls topic; 3 workers (quick: 2); a 100 ms host
 * delay for every run. The big hosts' demand (about 17 URLs/s each) exceeds what politeness lets through
 * (10/s) while the total stays within what the workers manage on this shared machine, so the runs measure
 * fairness, not capacity. The URLs are
 * produced with `kscrape produce` at an even pace over 20 s (discovered_at = the moment the bench wrote the line);
 * fetch time = the target's arrival stamp. Runs, one after another, same workload:
 *   serial-host   the guide's serial worker (bench/_serial-worker.ts), --partitioner host
 *   serial-fair   the same with --partitioner fair (the guide's fix; its politeness is per process)
 *   kscrape-host  kscrape work, --partitioner host, a look-ahead scaled to the workload (20)
 *   kscrape-fair  kscrape work --redis, --partitioner fair --redis (live depth counters, shared limiter)
 *   kscrape-host-la1000  kscrape work, --partitioner host, the default look-ahead (1000)
 * Before each measured run, one warm-up URL per partition goes through the same path and is not counted.
 * --quick runs serial-host, kscrape-fair and kscrape-host-la1000 only. Writes bench/results/fairness[-quick].{svg,json}.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdmin } from '../src/kafka/index.js';
import { createLogger } from '../src/log.js';
import { depthKey } from '../src/partition/redis-depth.js';
import { createRedis } from '../src/ratelimit/redis-client.js';
import { analyzeRun, type ProducedUrl, type RunFigures } from './fairness/analysis.js';
import { BIN, SERIAL_WORKER, producePaced, startTarget, startWorkerProcess, stopWorkers, waitForAssignment, waitUntil, type WorkerProcess } from './fairness/harness.js';
import { formatMs, renderCdfSvg } from './fairness/svg-cdf.js';
import { generateWorkload, warmupHostNames } from './fairness/workload.js';
import type { BenchOptions } from './index.js';

interface RunSpec {
  name: string;
  label: string;
  worker: 'serial' | 'kscrape';
  partitioner: 'host' | 'fair';
  lookahead?: number;
  color: string;
  dashed?: boolean;
}

interface RunResult { spec: RunSpec; figures: RunFigures; seconds: number; fallbacks: number }

const quiet = createLogger({ level: 'quiet' });
const RESULTS = fileURLToPath(new URL('../../bench/results/', import.meta.url));
const ADDRESS = '127.0.0.1';
const DOMAIN = 'fair.test';

/** `--name=value` (bench/index.ts takes every argument not starting with -- for a benchmark's name). */
function argValue(args: string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

export async function run({ quick, args }: BenchOptions): Promise<void> {
  const brokers = process.env.KSCRAPE_BROKERS;
  if (!brokers) throw new Error('KSCRAPE_BROKERS is not set: start the stack (npm run stack -- up --free-ports; eval "$(npm run -s stack -- env)")');
  const redisUrl = process.env.KSCRAPE_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const p = {
    hosts: quick ? 200 : 1000, urls: quick ? 500 : 2500, partitions: 12, workers: quick ? 2 : 3, hostDelayMs: 100,
    spreadMs: quick ? 4_000 : 20_000, fairThreshold: quick ? 10 : 30, fairBands: 4,
    lookahead: Number(argValue(args, '--lookahead') ?? 20),
  };
  const only = argValue(args, '--only')?.split(',') ?? (quick ? ['serial-host', 'kscrape-fair', 'kscrape-host-la1000'] : undefined);
  const runs: RunSpec[] = ([
    { name: 'serial-host', label: 'guide serial worker, host', worker: 'serial', partitioner: 'host', color: '#d62728' },
    { name: 'serial-fair', label: 'guide serial worker, fair', worker: 'serial', partitioner: 'fair', color: '#ff7f0e', dashed: true },
    { name: 'kscrape-host', label: `kscrape, host, look-ahead ${p.lookahead}`, worker: 'kscrape', partitioner: 'host', lookahead: p.lookahead, color: '#1f77b4' },
    { name: 'kscrape-fair', label: `kscrape, fair + Redis, look-ahead ${p.lookahead}`, worker: 'kscrape', partitioner: 'fair', lookahead: p.lookahead, color: '#9467bd', dashed: true },
    { name: 'kscrape-host-la1000', label: 'kscrape, host, look-ahead 1000', worker: 'kscrape', partitioner: 'host', lookahead: 1000, color: '#2ca02c' },
  ] satisfies RunSpec[]).filter((r) => !only || only.includes(r.name));

  const workload = generateWorkload({ hosts: p.hosts, bigHosts: 3, bigShare: 0.4, urls: p.urls, partitions: p.partitions, domain: DOMAIN });
  const target = await startTarget(ADDRESS);
  const origin = (host: string) => `http://${host}:${target.port}`;
  const urlList = workload.urls.map((u) => `${origin(u.host)}${u.path}`);
  const warmHosts = warmupHostNames(p.partitions, DOMAIN);
  const warmUrls = warmHosts.map((h) => `${origin(h)}/warm`);
  const resolveArgs = [...workload.hosts, ...warmHosts].flatMap((h) => ['--resolve', `${h}:${target.port}:${ADDRESS}`]);
  const logDir = mkdtempSync(join(tmpdir(), 'kscrape-bench-fairness-'));
  const id = `bfair-${Date.now().toString(36)}`;
  const admin = createAdmin({ config: { 'bootstrap.servers': brokers }, logger: quiet });
  await admin.connect();
  const redis = createRedis(redisUrl);
  const load = [loadavg()[0]!];
  const results: RunResult[] = [];
  process.stderr.write(`brokers ${brokers}, redis ${redisUrl}; ${p.urls} URLs over ${p.hosts} hosts (3 big: 40 %), ${p.partitions} partitions, `
    + `${p.workers} workers, host delay ${p.hostDelayMs} ms, produced over ${p.spreadMs / 1000} s; logs in ${logDir}\n`);
  try {
    for (const [k, spec] of runs.entries()) {
      const prefix = `${id}-${k}.`;
      const topics = ['urls', 'pages', 'errors', 'dlq', 'metrics'].map((t) => `${prefix}${t}`);
      await admin.createTopics({ topics: topics.map((topic, i) => ({ topic, numPartitions: i === 0 ? p.partitions : 1, replicationFactor: 1 })) });
      const group = `${prefix}g`;
      const workers: WorkerProcess[] = [];
      const t0 = Date.now();
      try {
        for (let w = 0; w < p.workers; w++) {
          const log = join(logDir, `${spec.name}-${w}.log`);
          workers.push(spec.worker === 'serial'
            ? startWorkerProcess(process.execPath, [SERIAL_WORKER, JSON.stringify({
              brokers, urlsTopic: topics[0], pagesTopic: topics[1], group, partitions: p.partitions, hostDelayMs: p.hostDelayMs, targetAddress: ADDRESS,
            })], log)
            : startWorkerProcess(BIN, ['work', '-v', '--brokers', brokers, '--topic-prefix', prefix, '--group', group,
              '--redis', redisUrl, '--host-delay', `${p.hostDelayMs}ms`, '--lookahead', String(spec.lookahead), '--concurrency', '64',
              '--commit-interval', '1s', '--status-interval', '1h', '--ignore-robots', '--allow-cidr', '127.0.0.0/8', ...resolveArgs], log));
        }
        await waitForAssignment(workers, p.partitions, 90_000);
        const produceArgs = ['--brokers', brokers, '--topic-prefix', prefix, '--json', '-q', '--partitioner', spec.partitioner,
          ...(spec.partitioner === 'fair' ? ['--redis', redisUrl, '--fair-threshold', String(p.fairThreshold), '--fair-bands', String(p.fairBands)] : [])];
        // One URL per partition first, not measured: the producer is up and every worker has fetched once.
        const stamps = await producePaced(produceArgs, urlList, p.spreadMs, {
          urls: warmUrls,
          done: async () => {
            await waitUntil('the warm-up fetches', async () => (await target.count()) >= warmUrls.length, 60_000, 100);
            await target.take();
          },
        });
        const ready = stamps[0] ?? Date.now();
        const bigUrls = workload.urls.filter((u) => u.big).length;
        const expectedMs = p.spreadMs + (bigUrls / 3) * p.hostDelayMs * 2 + 60_000;
        await waitUntil(`${urlList.length} fetches`, async () => (await target.count()) >= urlList.length, expectedMs, 250).catch((err: Error) => {
          process.stderr.write(`  ${spec.name}: ${err.message}; analysing what arrived\n`);
        });
        const seconds = (Date.now() - ready) / 1000;
        await stopWorkers(workers);
        const produced: ProducedUrl[] = workload.urls.map((u, i) => ({ ...u, discoveredAt: stamps[i]! }));
        const figures = analyzeRun(produced, await target.take(), p.hostDelayMs);
        // kscrape falls back to in-process limits (rate / live workers) when Redis answers late: count it.
        await new Promise((r) => setTimeout(r, 300));
        const fallbacks = workers.reduce((n, _w, i) => n + (readFileSync(join(logDir, `${spec.name}-${i}.log`), 'utf8').match(/Redis limiter unavailable/g)?.length ?? 0), 0);
        results.push({ spec, figures, seconds, fallbacks });
        load.push(loadavg()[0]!);
        process.stderr.write(`  ${spec.name}: small p99 ${formatMs(figures.small.p99)}, big p99 ${formatMs(figures.big.p99)}, `
          + `${figures.pagesPerSecond.toFixed(1)} pages/s, big ${figures.bigPagesPerSecond.toFixed(1)}/s, violations ${figures.violations} `
          + `(strict ${figures.strictViolations}, busiest second ${figures.busiestSecondRatio.toFixed(2)}× allowed), limiter fallbacks ${fallbacks}, missing ${figures.missing}, start-up ${((ready - t0) / 1000).toFixed(1)} s, run ${seconds.toFixed(1)} s, load ${loadavg()[0]!.toFixed(1)}\n`);
      } finally {
        await stopWorkers(workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null));
        await target.take();
        await admin.deleteTopics({ topics }).catch(() => undefined);
        await redis.del(depthKey(prefix, topics[0]!)).catch(() => undefined);
      }
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
    redis.disconnect();
    await target.stop();
  }
  report(results, p, load, quick, logDir);
}

function report(results: RunResult[], p: { hosts: number; urls: number; partitions: number; workers: number; hostDelayMs: number; spreadMs: number }, load: number[], quick: boolean, logDir: string): void {
  const base = results.find((r) => r.spec.name === 'serial-host') ?? results[0];
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const lines = [
    `fairness under skew: ${p.urls} URLs, ${p.hosts} hosts (3 big = 40 %), ${p.partitions} partitions, ${p.workers} workers, host delay ${p.hostDelayMs} ms, `
      + `produced over ${p.spreadMs / 1000} s; load average ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)} (2 cores)`,
    'run                  | small p50/p95/p99 (s)   | big p50/p95/p99 (s)     | pages/s | big pages/s | violations >10% (strict) | min gap ms | busiest 1 s/allowed | missing | small p99 vs serial-host | big pages/s vs serial-host',
  ];
  for (const r of results) {
    const f = r.figures;
    const b = base!.figures;
    lines.push(`${r.spec.name.padEnd(20)} | ${s(f.small.p50)}/${s(f.small.p95)}/${s(f.small.p99)}`.padEnd(48)
      + ` | ${s(f.big.p50)}/${s(f.big.p95)}/${s(f.big.p99)}`.padEnd(26)
      + ` | ${f.pagesPerSecond.toFixed(1).padStart(7)} | ${f.bigPagesPerSecond.toFixed(1).padStart(11)} | ${String(f.violations).padStart(5)} (${f.strictViolations})`.padEnd(56)
      + ` | ${f.minGapMs.toFixed(0).padStart(10)} | ${f.busiestSecondRatio.toFixed(2).padStart(19)} | ${String(f.missing).padStart(7)} | ${(b.small.p99 / f.small.p99).toFixed(1).padStart(7)}× | ${(f.bigPagesPerSecond / b.bigPagesPerSecond).toFixed(2)}×`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(RESULTS, { recursive: true });
  const name = quick ? 'fairness-quick' : 'fairness';
  const svg = renderCdfSvg({
    title: 'Small hosts: produce → fetch latency, skewed workload (3 hosts = 40 % of URLs)',
    subtitle: `${p.urls} URLs, ${p.hosts} hosts, ${p.partitions} partitions, ${p.workers} workers, ${p.hostDelayMs} ms per host; ${new Date().toISOString().slice(0, 10)}, load ${Math.max(...load).toFixed(0)} on 2 cores`,
    series: results.map((r) => ({
      label: `${r.spec.label}\np99 ${formatMs(r.figures.small.p99)}, big ${r.figures.bigPagesPerSecond.toFixed(0)}/s, ${r.figures.violations} violations`,
      color: r.spec.color, dashed: r.spec.dashed, sortedMs: r.figures.smallLatenciesMs,
    })),
    width: 1000,
  });
  writeFileSync(join(RESULTS, `${name}.svg`), svg);
  writeFileSync(join(RESULTS, `${name}.json`), `${JSON.stringify({
    date: new Date().toISOString(), params: p, loadAverage: load,
    runs: results.map((r) => ({ name: r.spec.name, label: r.spec.label, seconds: r.seconds, limiterFallbacks: r.fallbacks, ...r.figures, smallLatenciesMs: undefined })),
  }, null, 2)}\n`);
  process.stderr.write(`wrote bench/results/${name}.svg and .json; worker logs in ${logDir}\n`);
}
