/**
 * `npm run bench -- extract [--quick] [--pages=10000] [--extract-args='--concurrency 4']`: `kscrape extract`
 * through Kafka against Crawlee's CheerioCrawler way of extracting (cheerio.load + selectors) in one process
 * without Kafka, over the same stored pages, in the same run.
 *
 * Setup (not timed): N realistic product pages (~30–50 KB, bench/_extract-pages.ts) produced once into a pages
 * topic of 6 partitions, and written to an NDJSON file of the same page records for the peer.
 * kscrape: `kscrape extract --rules <the bench rules> --max-messages N --json`, from spawn to exit (start-up,
 * group join, consuming, parsing once per page, built-in extraction + rules, delivering every record to the
 * extractions topic, committing). Peer: `node _extract-cheerio.js pages.ndjson` from spawn to exit (reads the
 * file, cheerio.load, the same fields plus built-in equivalents, JSON.stringify of each result). Pages/s for
 * each, their ratio, and each side's peak RSS (VmHWM).
 */
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdmin, createProducer } from '../src/kafka/index.js';
import { createLogger } from '../src/log.js';
import type { PageRecord } from '../src/records/index.js';
import { BENCH_RULES, productPage } from './_extract-pages.js';
import { kscrape, runNode } from './_work-procs.js';
import type { BenchOptions } from './index.js';

const PEER = fileURLToPath(new URL('./_extract-cheerio.js', import.meta.url));
const brokers = process.env.KSCRAPE_BROKERS ?? '127.0.0.1:9092';
const say = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const quiet = createLogger({ level: 'quiet' });

function pageRecord(n: number): PageRecord {
  const url = `http://shop.test/p/${n}`;
  const body = productPage(n);
  return {
    url, final_url: url, status: 200, content_type: 'text/html; charset=utf-8', headers: {}, body, truncated: false,
    bytes: Buffer.byteLength(body), fetched_at: Date.now(), elapsed_ms: 10, customer_id: 'default', worker: 'bench',
  };
}

/** Produces the pages into the topic and writes the same records to `file`; returns their total size in bytes. */
async function storePages(topic: string, count: number, file: string): Promise<number> {
  const producer = createProducer({ config: { 'bootstrap.servers': brokers }, logger: quiet }, { 'linger.ms': 20, 'compression.type': 'lz4', 'message.max.bytes': 8_000_000 });
  await producer.connect();
  const out = createWriteStream(file);
  let bytes = 0;
  try {
    for (let from = 0; from < count; from += 200) {
      const batch = Array.from({ length: Math.min(200, count - from) }, (_, i) => JSON.stringify(pageRecord(from + i)));
      for (const value of batch) {
        bytes += value.length;
        if (!out.write(`${value}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
      await producer.send({ topic, messages: batch.map((value, i) => ({ key: `http://shop.test/p/${from + i}`, value })) });
    }
  } finally {
    await producer.disconnect();
    await new Promise<void>((r) => out.end(() => r()));
  }
  return bytes;
}

async function dropTopics(prefix: string): Promise<void> {
  const admin = createAdmin({ config: { 'bootstrap.servers': brokers }, logger: quiet });
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

export async function run(opts: BenchOptions): Promise<void> {
  const arg = (name: string) => opts.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const count = Number(arg('pages') ?? (opts.quick ? 1000 : 10_000));
  const extraArgs = (arg('extract-args') ?? '').split(' ').filter(Boolean);
  const dir = mkdtempSync(join(tmpdir(), 'kscrape-bench-extract-'));
  const prefix = `bench-extract-${Date.now().toString(36)}.`;
  const env = { KSCRAPE_BROKERS: brokers, KSCRAPE_TOPIC_PREFIX: prefix };
  try {
    await kscrape(['topics', 'create', '--replication-factor', '1', '--partitions', 'pages=6', '--partitions', 'extractions=6', '--partitions', 'errors=1'], env);
    const file = join(dir, 'pages.ndjson');
    const rulesFile = join(dir, 'rules.yaml');
    writeFileSync(rulesFile, BENCH_RULES);
    const t0 = Date.now();
    const bytes = await storePages(`${prefix}pages`, count, file);
    say(`stored ${fmt(count)} pages (${fmt(bytes / 1048576)} MiB of page records, ${fmt(bytes / count / 1024, 1)} KiB each) in ${fmt((Date.now() - t0) / 1000, 1)} s`);

    const loadBefore = loadavg()[0]!.toFixed(1);
    const k = await kscrape(['extract', '--group', `bench-${Date.now().toString(36)}`, '--rules', rulesFile, '--max-messages', String(count),
      '--status-interval', '5s', '--json', ...extraArgs], env, { pollRss: true, timeoutMs: 1_800_000 });
    const summary = JSON.parse(k.stdout.trim().split('\n').pop()!) as { extracted: number; failed: number; issues: number };
    if (summary.extracted !== count) throw new Error(`kscrape extract: ${JSON.stringify(summary)} (expected ${count} extracted)\n${k.stderr.slice(-1500)}`);
    const p = await runNode(PEER, [file], { pollRss: true, timeoutMs: 1_800_000 });
    if (p.code !== 0) throw new Error(`peer exited ${p.code}: ${p.stderr.slice(-1500)}`);
    const peer = JSON.parse(p.stdout.trim()) as { pages: number };
    if (peer.pages !== count) throw new Error(`peer read ${peer.pages} pages of ${count}`);

    const kRate = count / k.seconds;
    const pRate = count / p.seconds;
    say(`extract: ${fmt(count)} stored product pages, same fields (5 rule fields + built-in); load ${loadBefore} → ${loadavg()[0]!.toFixed(1)}`);
    say(`  kscrape extract (through Kafka, 6 partitions, to the extractions topic): ${fmt(k.seconds, 1)} s spawn→exit, ${fmt(kRate, 0)} pages/s, peak RSS ${fmt(k.peakRssMb!)} MB, main thread on CPU ${fmt(k.cpuSeconds!, 1)} s`);
    say(`  cheerio.load + selectors (in-process, no Kafka, from a file):           ${fmt(p.seconds, 1)} s spawn→exit, ${fmt(pRate, 0)} pages/s, peak RSS ${fmt(p.peakRssMb!)} MB, main thread on CPU ${fmt(p.cpuSeconds!, 1)} s`);
    say(`  ratio kscrape / peer: ${(kRate / pRate).toFixed(2)}× pages/s (goal ≥ 1.0)`);
    say(`  kscrape status lines: ${k.stderr.split('\n').filter((l) => l.includes('status:')).slice(-2).map((l) => l.replace(/^.*status: /, '')).join(' | ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropTopics(prefix).catch(() => undefined);
  }
}
