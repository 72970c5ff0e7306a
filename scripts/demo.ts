/**
 * The demo: the whole pipeline on the local stack, with no internet, as real `kscrape` processes. A small shop
 * site on three loopback names, Kafka and Redis on free ports, the shop's home page seeded with `produce
 * --crawl`, two workers crawling the site from it (`work --follow`, dedupe in Redis) with `lag` watching, `crawl
 * stats`, `dlq retry` and a second run, `partition-audit`, and where every URL ended (read from the topics). Cleans up after itself, on Ctrl-C too; exits 1 when a step fails or a URL is lost.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { hostPartition } from '../src/partition/partitioner.js';
import { createLogger } from '../src/log.js';
import { readBrokerState, startBroker, stopBroker } from './stack/broker.js';
import { readRedisState, ensureRedis, stopRedis } from './stack/redis.js';
import { freePort, sleep } from './stack/ports.js';
import { CommandRunner, type CommandResult } from './demo/commands.js';
import { mismatches, renderSummary, summarizePipeline } from './demo/outcomes.js';
import { hostLoads, renderHostLoads } from './demo/politeness.js';
import { CRAWL_DELAY_S, DEMO_RULES, SITE_CIDR, SITE_HOSTS, sitemapUrls, expectedOutcomes } from './demo/shop-site.js';
import { startSiteProcess, type SiteProcess } from './demo/site-process.js';
import { readTopics } from './demo/topic-reader.js';

const PREFIX = 'demo.';
const GROUP = 'demo-scrapers';
/** Two partitions for two workers: each worker gets one (the site's port is chosen so both have hosts). */
const URL_PARTITIONS = 2;

const chalk = new Chalk({ level: process.stderr.isTTY ? 1 : 0 });
const write = (text: string) => { process.stderr.write(text); };
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const step = (text: string) => write(`\n${chalk.bold(`==> ${text}`)}  ${chalk.dim(`[${elapsed()}]`)}\n`);
const note = (text: string) => write(`    ${text}\n`);

const stateDir = mkdtempSync(join(tmpdir(), 'kscrape-demo-'));
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KSCRAPE_')));
const runner = new CommandRunner({ env, write });
let site: SiteProcess | undefined;

class StepFailed extends Error {}

function expectOk(what: string, r: CommandResult, ok: (code: number | null) => boolean = (c) => c === 0): CommandResult {
  if (!ok(r.code)) throw new StepFailed(`${what} exited with ${r.code ?? r.signal}`);
  return r;
}

/** Ports on which shop.test lands alone in one partition and the two other hosts in the other. */
async function* spreadPorts(): AsyncGenerator<number> {
  for (let i = 0; i < 400; i++) {
    const port = await freePort();
    const [shop, ...rest] = SITE_HOSTS.map((h) => hostPartition(`${h.name}:${port}`, URL_PARTITIONS));
    if (rest.every((p) => p !== shop)) yield port;
  }
}

async function main(): Promise<void> {
  step('A local test site: a small shop on three names, served by a child process');
  site = await startSiteProcess(spreadPorts());
  const port = site.port;
  for (const h of SITE_HOSTS) note(`http://${h.name}:${port}/  ->  ${h.address}   (no /etc/hosts: kscrape work --resolve ${h.name}:${port}:${h.address})`);
  // The pages link to exactly the URLs its sitemap.xml lists: what the crawl must reach, each once.
  const siteUrls = sitemapUrls(port);
  note(`its pages link to ${siteUrls.length} URLs: categories, products, blog posts, images; some slow, some 404, some 500,`);
  note(`a robots.txt Disallow (/account) with Crawl-delay ${CRAWL_DELAY_S}, and two redirects`);

  step('Kafka (single-node KRaft, Apache jars) and Redis on free loopback ports');
  const waiting = Date.now();
  const ticker = setInterval(() => note(`waiting for Kafka to answer… ${Math.round((Date.now() - waiting) / 1000)} s`), 5_000);
  const broker = await startBroker({ stateDir, freePorts: true, log: note }).finally(() => clearInterval(ticker));
  note(`Kafka ${broker.version} at ${broker.brokers}, ready in ${(broker.startupMs / 1000).toFixed(1)} s`);
  const redis = await ensureRedis({ stateDir, log: note });
  note(`Redis at ${redis.url}${redis.pid ? ' (started for the demo)' : ' (already running; reused)'}`);
  Object.assign(env, { KSCRAPE_BROKERS: broker.brokers, KSCRAPE_REDIS_URL: redis.url });
  note(`$ export KSCRAPE_BROKERS=${broker.brokers} KSCRAPE_REDIS_URL=${redis.url}`);

  step(`Topics under the prefix '${PREFIX}' (urls with ${URL_PARTITIONS} partitions: one per worker)`);
  expectOk('topics create', await runner.run(['--topic-prefix', PREFIX, 'topics', 'create', '--replication-factor', '1', '--partitions', `urls=${URL_PARTITIONS}`]));

  step('One seed: the shop\'s home page into kscrape produce --crawl (the workers find the rest)');
  // A crawl id of its own per run: a reused Redis still holds an earlier run's claims (seen URLs are not queued again).
  const crawlId = `shop-${Date.now().toString(36)}`;
  const produced = expectOk('produce', await runner.shell(`echo http://${SITE_HOSTS[0]!.name}:${port}/ | kscrape --topic-prefix ${PREFIX} produce --crawl ${crawlId}`));
  if (!/^1 URLs? delivered/m.test(produced.stderr)) throw new StepFailed('produce did not deliver the seed');

  step(`Two workers in group ${GROUP} crawl it (--follow: each page's links are queued once, through Redis); lag checked while they run`);
  const workArgs = (id: string, idle: string) => ['--topic-prefix', PREFIX, 'work', '--follow', '--scope', 'any', '--max-depth', '3',
    '--group', GROUP, '--worker-id', id, '--idle-exit', idle,
    '--host-delay', '100ms', '--timeout', '5s', ...SITE_HOSTS.flatMap((h) => ['--resolve', `${h.name}:${port}:${h.address}`]),
    '--allow-cidr', SITE_CIDR, '--status-interval', '2s', '--commit-interval', '1s'];
  note(`(robots.txt's Crawl-delay ${CRAWL_DELAY_S} s is more than --host-delay 100ms: each host's requests should be`);
  note(` ${CRAWL_DELAY_S * 1000} ms apart, over both workers, through the limiter in Redis; the end shows what the site saw)`);
  // A longer --idle-exit than a plain run: a worker's first URLs arrive only once the other has fetched the pages linking to them.
  const workers = ['worker-1', 'worker-2'].map((id) => ({ id, run: runner.start(workArgs(id, '5s'), id) }));
  let running = true;
  const allDone = Promise.all(workers.map((w) => w.run.done)).finally(() => { running = false; });
  await Promise.race([allDone, sleep(2_500)]);
  let lagRuns = 0;
  let lagAfterDone: CommandResult | undefined;
  while (running || lagRuns < 2) {
    const done = !running;
    if (done) note('(the workers are done; lag once more)');
    // Exit 3 (UNKNOWN) is fine before the group has committed anything.
    const lag = expectOk('lag', await runner.run(['--topic-prefix', PREFIX, 'lag', '--group', GROUP], { label: 'lag' }), (c) => c !== null && c <= 3);
    // Only a lag read after the workers ended says what they left (a crawl queues URLs while it runs).
    if (done) lagAfterDone = lag;
    lagRuns++;
    await Promise.race([allDone, sleep(2_000)]);
  }
  for (const w of workers) expectOk(w.id, await w.run.done);
  const left = /state \w+, \d+ members?, lag (\d+)/.exec(lagAfterDone?.stderr ?? '')?.[1]; // piped: the summary is on stderr
  if (left && left !== '0') note(`the workers ended with ${left} URLs not fetched yet (an --idle-exit during a rebalance); the next run takes them`);

  step(`kscrape crawl stats ${crawlId}: what the crawl found`);
  expectOk('crawl stats', await runner.run(['--topic-prefix', PREFIX, 'crawl', 'stats', crawlId]));

  // Rounds until a retry re-emits nothing: normally retry, run, retry (which parks). A worker that left URLs
  // behind (the lag above not at 0) leaves first attempts in the dlq too; they get a round more.
  const retryArgs = ['--topic-prefix', PREFIX, 'dlq', 'retry', '--once', '--cooldown', '0s', '--max-attempts', '2'];
  for (let round = 1; ; round++) {
    step(round === 1 ? 'dlq retry: what failed with 500/503 gets another attempt now (--cooldown 0s)'
      : 'dlq retry again: what failed twice is parked (--max-attempts 2) for people to review');
    const retried = expectOk('dlq retry', await runner.run(retryArgs));
    const reEmitted = /re-emitted (\d+)/.exec(retried.stdout);
    if (!reEmitted) throw new StepFailed('dlq retry did not say what it re-emitted');
    if (reEmitted[1] === '0') break;
    if (round === 4) throw new StepFailed('dlq retry still re-emits after 4 rounds');
    note(`a short work run for the ${reEmitted[1]} re-emitted URLs`);
    expectOk('work', await runner.run(workArgs('worker-1', '2s'), { label: 'worker-1' }));
  }

  step('partition-audit of the live urls topic');
  expectOk('partition-audit', await runner.run(['--topic-prefix', PREFIX, 'partition-audit', '--sample', '1000']));

  step('Where every URL ended, read from the topics');
  const topics = ['urls', 'pages', 'errors', 'dlq', 'dlq.parked'].map((t) => `${PREFIX}${t}`);
  const values = await readTopics(topics, { config: { 'bootstrap.servers': broker.brokers }, logger: createLogger({ level: 'quiet' }) });
  const [urls, pages, errors, dlq, parked] = topics.map((t) => values.get(t) ?? []);
  const summary = summarizePipeline(siteUrls, { urls: urls!, pages: pages!, errors: errors!, dlq: dlq!, parked: parked! });
  process.stdout.write(renderSummary(summary));
  write(`\n    what each host of the site saw (robots.txt included):\n${renderHostLoads(hostLoads(await site.arrivals()), CRAWL_DELAY_S * 1000).trimEnd().replace(/^/gm, '    ')}\n`);
  const wrong = mismatches(summary, expectedOutcomes(port));
  for (const m of wrong) note(`unexpected: ${m.url} ended as ${m.got}, the site makes it ${m.expected}`);
  if (summary.lost.length || summary.unfinished.length) throw new StepFailed(`${summary.lost.length} lost, ${summary.unfinished.length} unfinished`);
  if (wrong.length) throw new StepFailed(`${wrong.length} URLs did not end where the site sends them`);

  step('kscrape extract: the pages into structured data (built-in + shop rules), read back from the extractions topic');
  const rulesFile = join(stateDir, 'shop-rules.yaml');
  writeFileSync(rulesFile, DEMO_RULES);
  note(`rules (${rulesFile}):`);
  for (const line of DEMO_RULES.trimEnd().split('\n')) note(`  ${line}`);
  const extracted = expectOk('extract', await runner.run(['--topic-prefix', PREFIX, 'extract', '--group', 'demo-extractors', '--rules', rulesFile,
    '--idle-exit', '3s', '--commit-interval', '1s', '--json'], { label: 'extract' }));
  const counts = JSON.parse(extracted.stdout.trim().split('\n').pop() ?? '{}') as { extracted?: number };
  if (counts.extracted !== pages!.length) throw new StepFailed(`extract wrote ${counts.extracted} records for ${pages!.length} pages`);
  const records = (await readTopics([`${PREFIX}extractions`], { config: { 'bootstrap.servers': broker.brokers }, logger: createLogger({ level: 'quiet' }) }))
    .get(`${PREFIX}extractions`) ?? [];
  const products = records.flatMap((v) => (v ? [JSON.parse(v) as { url: string; rule_set: string | null; fields: { name?: string; price?: { amount: number; currency: string } | null; tags?: string[] }; page: { json_ld: { sku?: string }[] } | null }] : []))
    .filter((r) => r.rule_set === 'product').sort((a, b) => a.url.localeCompare(b.url, 'en', { numeric: true }));
  process.stdout.write(`\n${records.length} extraction records, ${products.length} products; the first few:\n`);
  for (const r of products.slice(0, 5)) {
    const price = r.fields.price ? `${r.fields.price.currency} ${r.fields.price.amount.toFixed(2)}` : '-';
    process.stdout.write(`  ${(r.fields.name ?? '').padEnd(20)} ${price.padStart(10)}  ${(r.fields.tags ?? []).join(',').padEnd(12)} sku ${r.page?.json_ld[0]?.sku ?? '-'}  ${r.url}\n`);
  }
  if (!products.length) throw new StepFailed('no product was extracted');
}

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    step('Cleaning up: workers, site, Kafka, Redis (if started here), temp folder');
    await runner.stopAll();
    await site?.close();
    await stopBroker(stateDir);
    await stopRedis(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  })();
  return cleaning;
}

/** A second Ctrl-C: no more waiting; kill what the demo started and go. */
function stopNow(code: number): never {
  for (const pid of [readBrokerState(stateDir)?.pid, readRedisState(stateDir)?.pid]) {
    if (pid) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  rmSync(stateDir, { recursive: true, force: true });
  process.exit(code);
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (interrupted) stopNow(code);
    interrupted = true;
    write(`\ndemo: ${signal}: stopping and cleaning up (again to stop at once)\n`);
    void cleanup().finally(() => process.exit(code));
  });
}

try {
  await main();
  await cleanup();
  write(`\n${chalk.bold(`demo done in ${elapsed()}`)}\n`);
} catch (err) {
  if (!interrupted) {
    write(`\ndemo: ${err instanceof StepFailed ? '' : 'failed: '}${(err as Error).message}\n`);
    process.exitCode = 1;
    await cleanup();
  }
}
