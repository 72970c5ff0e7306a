/**
 * `npm run bench -- sitemap [--quick] [--rounds=2] [--node-args='--cpu-prof --cpu-prof-dir=/tmp/p']`: `kscrape
 * sitemap` as a user runs it (`--allow-cidr` for the loopback site, `--host-delay 0`, URLs to stdout, here
 * /dev/null) against Crawlee's sitemap loader (`parseSitemap`, bench/_sitemap-crawlee.ts), each a process timed
 * from spawn to exit with its peak RSS (VmHWM), on the same generated site (bench/_sitemap-site.ts, its own
 * process) in the same run, runs alternated kscrape/Crawlee:
 *
 *   a 50 000-URL urlset (~44 MB, near the protocol's 50 MiB cap), plain and gzipped;
 *   a 1 000-child index whose children hold the same 50 000 URLs, plain and gzipped children;
 *   a 100-child index of the same 50 000 URLs (500 a child): whether the index's extra memory follows the child count;
 *   a 5 000-URL urlset: the peak RSS it needs against the 50 000's says whether memory is flat in the file's size.
 *
 * Both must emit every URL of the file (the bench fails otherwise). --quick: 5 000 URLs, 100 and 10 children, 1 round.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fewChildren, type SiteStart, type SiteStarted } from './_sitemap-site.js';
import { BIN, runNode, type ProcResult } from './_work-procs.js';
import type { BenchOptions } from './index.js';

const SITE = fileURLToPath(new URL('./_sitemap-site.js', import.meta.url));
const CRAWLEE = fileURLToPath(new URL('./_sitemap-crawlee.js', import.meta.url));
const ADDRESS = '127.0.3.1';
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const say = (line: string) => process.stderr.write(`${line}\n`);

interface Site { origin: string; bytes: Record<string, number>; stop(): Promise<void> }

async function startSite(entries: number, children: number): Promise<Site> {
  const child = fork(SITE, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const started = await new Promise<SiteStarted>((resolve, reject) => {
    child.once('message', (m: SiteStarted) => resolve(m));
    child.once('exit', (code) => reject(new Error(`site process exited (${code})`)));
    child.send({ type: 'start', address: ADDRESS, entries, children } satisfies SiteStart);
  });
  return {
    origin: started.origin, bytes: started.bytes,
    stop: () => new Promise((resolve) => { child.once('exit', () => resolve()); child.send({ type: 'stop' }); }),
  };
}

interface Run { urls: number; seconds: number; peakRssMb: number; cpuSeconds: number }

/** The last line of stderr that is a JSON object: kscrape's --json summary, the peer's report. */
function lastJson(r: ProcResult): Record<string, unknown> {
  const line = r.stderr.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no JSON summary on stderr:\n${r.stderr.slice(-2000)}`);
  return JSON.parse(line) as Record<string, unknown>;
}

async function runTool(tool: 'kscrape' | 'crawlee', url: string, nodeArgs: string[]): Promise<Run> {
  const r = tool === 'kscrape'
    ? await runNode(BIN, ['sitemap', url, '--allow-cidr', `${ADDRESS}/32`, '--host-delay', '0', '--json'], { pollRss: true, discardStdout: true, nodeArgs, timeoutMs: 600_000 })
    : await runNode(CRAWLEE, [url], { pollRss: true, discardStdout: true, nodeArgs, timeoutMs: 600_000 });
  if (r.code !== 0) throw new Error(`${tool} ${url} exited ${r.code}:\n${r.stderr.slice(-2000)}`);
  const urls = Number(lastJson(r).urls);
  return { urls, seconds: r.seconds, peakRssMb: r.peakRssMb ?? 0, cpuSeconds: r.cpuSeconds ?? 0 };
}

interface Scenario { name: string; path: string; urls: number }

export async function run(opts: BenchOptions): Promise<void> {
  const entries = opts.quick ? 5_000 : 50_000;
  const children = opts.quick ? 100 : 1_000;
  const rounds = Number(opts.args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? (opts.quick ? 1 : 2));
  const nodeArgsFlag = opts.args.find((a) => a.startsWith('--node-args='))?.slice(12);
  const nodeArgs = nodeArgsFlag ? nodeArgsFlag.split(' ').filter(Boolean) : [];
  const site = await startSite(entries, children);
  const mb = (p: string) => fmt(site.bytes[p]! / 1048576, 1);
  say(`site ${site.origin}: /sitemap.xml ${mb('/sitemap.xml')} MB (${mb('/sitemap.xml.gz')} MB gzipped), ${children}-child index, ${rounds} round(s)`);
  const scenarios: Scenario[] = [
    { name: `urlset ${fmt(entries)} (${mb('/sitemap.xml')} MB)`, path: '/sitemap.xml', urls: entries },
    { name: `urlset ${fmt(entries)}, gzip`, path: '/sitemap.xml.gz', urls: entries },
    { name: `index of ${fmt(children)} children`, path: '/index.xml', urls: entries },
    { name: `index of ${fmt(children)}, gzip children`, path: '/index-gz.xml', urls: entries },
    { name: `index of ${fmt(fewChildren(children))} children`, path: '/index-few.xml', urls: entries },
    { name: `urlset ${fmt(Math.ceil(entries / 10))} (memory baseline)`, path: '/small.xml', urls: Math.ceil(entries / 10) },
  ];
  const results = new Map<string, { kscrape: Run[]; crawlee: Run[] }>();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const s of scenarios) {
        const r = results.get(s.name) ?? { kscrape: [], crawlee: [] };
        results.set(s.name, r);
        // Alternate who goes first, so neither always runs on the warmer (or busier) machine.
        for (const tool of round % 2 ? ['crawlee', 'kscrape'] as const : ['kscrape', 'crawlee'] as const) {
          const one = await runTool(tool, site.origin + s.path, nodeArgs);
          if (one.urls !== s.urls) throw new Error(`${tool} emitted ${one.urls} URLs from ${s.path}, the site has ${s.urls}`);
          r[tool].push(one);
          say(`  round ${round + 1} ${s.name} ${tool}: ${fmt(one.urls / one.seconds)} URLs/s (${fmt(one.seconds, 2)} s, CPU ${fmt(one.cpuSeconds, 2)} s), peak RSS ${fmt(one.peakRssMb)} MB`);
        }
      }
    }
  } finally {
    await site.stop();
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rate = (runs: Run[]) => mean(runs.map((x) => x.urls / x.seconds));
  // URLs per second of main-thread CPU: what the tool costs, less moved by a busy machine than the wall clock.
  const perCpu = (runs: Run[]) => mean(runs.map((x) => x.urls / x.cpuSeconds));
  const peak = (runs: Run[]) => Math.max(...runs.map((x) => x.peakRssMb));
  say('\n| sitemap | kscrape URLs/s | kscrape URLs/CPU-s | kscrape peak RSS | Crawlee URLs/s | Crawlee URLs/CPU-s | Crawlee peak RSS | ratio URLs/s (per CPU-s) |');
  say('|---|---|---|---|---|---|---|---|');
  for (const s of scenarios) {
    const { kscrape, crawlee } = results.get(s.name)!;
    say(`| ${s.name} | ${fmt(rate(kscrape))} | ${fmt(perCpu(kscrape))} | ${fmt(peak(kscrape))} MB | ${fmt(rate(crawlee))} | ${fmt(perCpu(crawlee))} | ${fmt(peak(crawlee))} MB `
      + `| ${fmt(rate(kscrape) / rate(crawlee), 2)} (${fmt(perCpu(kscrape) / perCpu(crawlee), 2)}) |`);
  }
  const byPath = (path: string) => results.get(scenarios.find((x) => x.path === path)!.name)!;
  const big = byPath('/sitemap.xml');
  const small = byPath('/small.xml');
  say(`\nmemory, peak RSS ${fmt(entries)} URLs / ${fmt(Math.ceil(entries / 10))} URLs: kscrape ${fmt(peak(big.kscrape) / peak(small.kscrape), 2)}, Crawlee ${fmt(peak(big.crawlee) / peak(small.crawlee), 2)} (1.00 = flat)`);
  // The same URLs either way: what differs is the number of requests and child files.
  const many = byPath('/index.xml');
  const few = byPath('/index-few.xml');
  say(`memory, peak RSS index of ${fmt(children)} / of ${fmt(fewChildren(children))} children (same ${fmt(entries)} URLs): `
    + `kscrape ${fmt(peak(many.kscrape))} / ${fmt(peak(few.kscrape))} MB, Crawlee ${fmt(peak(many.crawlee))} / ${fmt(peak(few.crawlee))} MB`);
  say('(URLs/s from spawn to exit, mean of the rounds; CPU-s: main thread only, from /proc/<pid>/schedstat; peak RSS the largest VmHWM of the rounds; goal: ratio ≥ 1.0 with flat memory)');
}
