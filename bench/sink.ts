/**
 * `npm run bench -- sink [--quick]`: page records from a pages topic into PostgreSQL, same run, same database.
 *
 * 200 000 page records (--quick 20 000), unique URLs over 2 000 hosts, realistic headers and bodies of 1–6 KiB
 * (stored with --bodies none, as the default), produced once to a fresh 6-partition topic. Then:
 *   kscrape  `kscrape sink postgres --mode upsert --max-messages N` (COPY into a temp table + one INSERT … ON
 *            CONFLICT per batch, 4 connections);
 *   naive    a consumer doing one INSERT … ON CONFLICT per record with node-postgres (bench/_sink-naive.ts),
 *            on the first tenth of the records (it is slow; its rate is what counts);
 *   floor    `psql \copy` of the same rows (the sink's mapping, written once to a local file) into an empty
 *            table of the same schema and indexes: the physical floor, no Kafka and no conflict handling.
 * Each into its own table of the same schema. Figures: rows/s from spawn to exit (start-up included) and the
 * client's peak RSS (/usr/bin/time; the server's memory is the same for all three and not counted).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createAdmin, createProducer } from '../src/kafka/index.js';
import { createLogger } from '../src/log.js';
import { copyLine } from '../src/sink/copy-text.js';
import { createPool, ensureSchema } from '../src/sink/database.js';
import { mapRecord } from '../src/sink/row-mapping.js';
import { COLUMN_NAMES } from '../src/sink/schema.js';
import type { BenchOptions } from './index.js';

const BIN = fileURLToPath(new URL('../../bin/kscrape', import.meta.url));
const NAIVE = fileURLToPath(new URL('./_sink-naive.js', import.meta.url));
const brokers = process.env.KSCRAPE_BROKERS ?? '127.0.0.1:9092';
const serverDsn = process.env.KSCRAPE_BENCH_PG_DSN ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const quiet = createLogger({ level: 'quiet' });
const PARTITIONS = 6;

interface RunResult { seconds: number; peakRssMb: number; cpuSeconds: number; stdout: string; stderr: string }

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'kscrape-bench-time-'));
  const timeFile = join(dir, 'time');
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const [rssKb, user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      const peakRssMb = rssKb! / 1024;
      const cpuSeconds = user! + system!;
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0) reject(new Error(`${cmd} exited ${code}: ${stderr.slice(-800)}`));
      else resolve({ seconds, peakRssMb, cpuSeconds, stdout, stderr });
    });
  });
}

/** Deterministic page records: unique URLs, 2 000 hosts, headers of a real server, bodies of 1–6 KiB. */
function pageRecord(i: number): { partition: number; value: string } {
  const host = `www.shop${i % 2000}.test`;
  const url = `https://${host}/category/${i % 97}/item-${i}?ref=list&page=${i % 9}`;
  const body = `<!doctype html><html><head><title>Item ${i}</title></head><body>${'<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>'.repeat(16 + (i % 80))}</body></html>`;
  const record = {
    url, final_url: url, status: 200, content_type: 'text/html; charset=utf-8',
    headers: { server: 'nginx/1.25.3', date: 'Sun, 06 Dec 2026 03:00:00 GMT', 'content-type': 'text/html; charset=utf-8', 'cache-control': 'max-age=600', etag: `"${i.toString(16)}-5f3a"`, vary: 'Accept-Encoding', 'x-request-id': `req-${i}` },
    body, truncated: false, bytes: body.length, fetched_at: 1_765_000_000_000 + i * 7, elapsed_ms: 40 + (i % 300),
    customer_id: `cust-${i % 5}`, worker: 'bench-worker-1', crawl_id: 'bench', depth: i % 4, referrer: `https://${host}/category/${i % 97}`,
  };
  return { partition: (i * 2654435761 >>> 0) % PARTITIONS, value: JSON.stringify(record) };
}

async function produceRecords(topic: string, count: number): Promise<void> {
  const admin = createAdmin({ config: { 'bootstrap.servers': brokers }, logger: quiet });
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }, { topic: topic.replace(/pages$/, 'errors'), numPartitions: 1, replicationFactor: 1 }] });
  await admin.disconnect();
  const producer = createProducer({ config: { 'bootstrap.servers': brokers }, logger: quiet }, { 'linger.ms': 20, 'compression.type': 'lz4' });
  await producer.connect();
  for (let i = 0; i < count; i += 5000) {
    const messages = [];
    for (let j = i; j < Math.min(count, i + 5000); j++) messages.push(pageRecord(j));
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
}

/** The rows the sink would write, as a COPY file (the floor's input; offsets are not known here and not needed). */
async function writeCopyFile(file: string, topic: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < count; i++) {
    const { partition, value } = pageRecord(i);
    const mapped = mapRecord({ topic, partition, offset: i, timestamp: Date.now(), key: null, value }, { source: 'pages', bodies: 'none', maxRowBytes: 16 << 20 });
    if (!mapped.ok) throw new Error(mapped.detail);
    if (!out.write(copyLine(mapped.row))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r, j) => out.end((err?: Error | null) => (err ? j(err) : r())));
}

async function admin(sql: string, dsn = serverDsn): Promise<void> {
  const client = new pg.Client({ connectionString: dsn });
  await client.connect();
  try { await client.query(sql); } finally { await client.end(); }
}

export async function run(opts: BenchOptions): Promise<void> {
  // --count=N and --sink-args="..." for experiments; BENCHMARKS.md quotes the defaults.
  const countArg = opts.args.find((a) => a.startsWith('--count='));
  const count = countArg ? Number(countArg.slice(8)) : opts.quick ? 20_000 : 200_000;
  const sinkArgsArg = opts.args.find((a) => a.startsWith('--sink-args='));
  const extraSinkArgs = sinkArgsArg ? sinkArgsArg.slice(12).split(' ').filter(Boolean) : [];
  const naiveCount = Math.round(count / 10);
  const stamp = Date.now().toString(36);
  const prefix = `bench-sink-${stamp}.`;
  const topic = `${prefix}pages`;
  const database = `${process.env.KSCRAPE_BENCH_DB_PREFIX ?? 'kst_sink_bench_'}${stamp}`;
  const url = new URL(serverDsn);
  url.pathname = `/${database}`;
  const dsn = url.toString();
  const dir = mkdtempSync(join(tmpdir(), 'kscrape-bench-sink-'));
  await admin(`CREATE DATABASE ${database}`);
  try {
    process.stderr.write(`brokers ${brokers}; producing ${count.toLocaleString('en-US')} page records to ${topic}\n`);
    await produceRecords(topic, count);
    const pool = createPool({ connectionString: dsn, connections: 1, statementTimeoutMs: 600_000, logger: quiet });
    for (const table of ['bench_kscrape', 'bench_naive', 'bench_floor']) await ensureSchema(pool, { table, mode: 'upsert', source: 'pages' }, quiet);
    await pool.end();
    const copyFile = join(dir, 'rows.copy');
    await writeCopyFile(copyFile, topic, count);

    const env = { ...process.env, KSCRAPE_BROKERS: brokers, KSCRAPE_TOPIC_PREFIX: prefix };
    const globalArgs = (opts.args.find((a) => a.startsWith('--global-args=')) ?? '--global-args=').slice(14).split(' ').filter(Boolean);
    const ks = await timed(BIN, [...globalArgs, 'sink', 'postgres', '--dsn', dsn, '--from', 'pages', '--table', 'bench_kscrape', '--max-messages', String(count), '--json', ...(opts.args.includes('--status') ? ['--status-interval', '2s'] : ['--quiet']), ...extraSinkArgs], env);
    if (opts.args.includes('--status')) process.stderr.write(ks.stderr);
    const ksSummary = JSON.parse(ks.stdout) as { rows: number };
    process.stderr.write(`kscrape: ${ksSummary.rows} rows in ${ks.seconds.toFixed(2)} s\n`);
    if (opts.args.includes('--no-peers')) {
      process.stdout.write(`kscrape sink postgres ${(count / ks.seconds).toFixed(0)} rows/s, peak RSS ${ks.peakRssMb.toFixed(0)} MB (${ks.seconds.toFixed(2)} s, CPU ${ks.cpuSeconds.toFixed(2)} s)\n`);
      return;
    }
    const naive = await timed('node', [NAIVE, brokers, topic, dsn, 'bench_naive', String(naiveCount)]);
    process.stderr.write(`naive: ${naiveCount} rows in ${naive.seconds.toFixed(2)} s\n`);
    const floor = await timed('psql', [dsn, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy bench_floor (${COLUMN_NAMES.join(', ')}) from '${copyFile}'`]);
    process.stderr.write(`floor: ${count} rows in ${floor.seconds.toFixed(2)} s\n`);

    const check = new pg.Client({ connectionString: dsn });
    await check.connect();
    const counted = await check.query<{ k: string; n: string; f: string }>('SELECT (SELECT count(*) FROM bench_kscrape) AS k, (SELECT count(*) FROM bench_naive) AS n, (SELECT count(*) FROM bench_floor) AS f');
    await check.end();
    const c = counted.rows[0]!;
    if (Number(c.k) !== count || Number(c.n) !== naiveCount || Number(c.f) !== count) throw new Error(`row counts differ from the input: ${JSON.stringify(c)}`);

    const rate = (rows: number, r: RunResult) => rows / r.seconds;
    const kRate = rate(count, ks);
    const nRate = rate(naiveCount, naive);
    const fRate = rate(count, floor);
    const lines = [
      `sink: ${count.toLocaleString('en-US')} page records (--bodies none) into PostgreSQL, ${PARTITIONS} partitions`,
      `  kscrape sink postgres   ${kRate.toFixed(0).padStart(8)} rows/s   peak RSS ${ks.peakRssMb.toFixed(0)} MB   (${ks.seconds.toFixed(2)} s, CPU ${ks.cpuSeconds.toFixed(2)} s)`,
      `  naive INSERT per record ${nRate.toFixed(0).padStart(8)} rows/s   peak RSS ${naive.peakRssMb.toFixed(0)} MB   (${naiveCount} rows, ${naive.seconds.toFixed(2)} s, CPU ${naive.cpuSeconds.toFixed(2)} s)`,
      `  psql \\copy (floor)      ${fRate.toFixed(0).padStart(8)} rows/s   peak RSS ${floor.peakRssMb.toFixed(0)} MB   (${floor.seconds.toFixed(2)} s)`,
      `  ratio kscrape/naive: ${(kRate / nRate).toFixed(1)}   kscrape/floor: ${(kRate / fRate).toFixed(2)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    const a = createAdmin({ config: { 'bootstrap.servers': brokers }, logger: quiet });
    await a.connect().then(() => a.deleteTopics({ topics: [topic, `${prefix}errors`] })).catch(() => undefined).finally(() => a.disconnect());
  }
}
