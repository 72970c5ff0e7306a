/**
 * `npm run bench -- produce [--quick]`: `kscrape produce` against `kcat -P` on the same broker, same run.
 *
 * Input: N URLs (1 000 000; --quick 100 000) over 20 000 hosts with a Zipf(1) popularity, realistic paths and
 * queries, written once to a temp folder. kscrape reads the plain file (validating, normalizing and
 * building the JSON envelope for every line); kcat reads `host<TAB>url` lines and sends them as they are.
 * Both: acks=all, idempotence, lz4, linger.ms=10, keyed by host, into fresh 50-partition topics.
 * Figures: wall-clock URLs/s from spawn to exit (both include start-up and the final flush), peak RSS from
 * /usr/bin/time, and kscrape's peak RSS on a tenth of the input too (memory must not grow with the input).
 * Rounds alternate kscrape/kcat so the machine's load hits both alike.
 * A third figure, the client's floor: a process producing pre-built envelopes (no reading, no validation,
 * no JSON) through the same BulkProducer (failure reports only; bench/_produce-floor.ts). It bounds what kscrape's producer path can
 * do here, whatever its own code costs; a fourth, the same with a delivery report per message.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdmin } from '../src/kafka/index.js';
import { createLogger } from '../src/log.js';
import type { BenchOptions } from './index.js';

const BIN = fileURLToPath(new URL('../../bin/kscrape', import.meta.url));
const FLOOR = fileURLToPath(new URL('./_produce-floor.js', import.meta.url));
const brokers = process.env.KSCRAPE_BROKERS ?? '127.0.0.1:9092';
const quiet = createLogger({ level: 'quiet' });
const PRODUCER_SETTINGS = ['acks=all', 'compression.type=lz4', 'linger.ms=10', 'enable.idempotence=true'];

interface RunResult { seconds: number; peakRssMb: number; stdout: string }

/** Runs a command under /usr/bin/time (peak RSS), stdin from a file. */
function timed(cmd: string, args: string[], stdinFile?: string): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'kscrape-bench-time-'));
  const timeFile = join(dir, 'time');
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', timeFile, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    if (stdinFile) {
      const input = spawn('cat', [stdinFile], { stdio: ['ignore', 'pipe', 'inherit'] });
      input.stdout.pipe(child.stdin);
    } else {
      child.stdin.end();
    }
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const peakRssMb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) / 1024;
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0) reject(new Error(`${cmd} exited ${code}: ${stderr.slice(-500)}`));
      else resolve({ seconds, peakRssMb, stdout });
    });
  });
}

/** Deterministic input: Zipf(1) over `hosts` hosts, paths and queries of the usual shapes. */
async function writeInputs(dir: string, count: number, hosts = 20_000): Promise<{ plain: string; keyed: string }> {
  let seed = 0x2545f491;
  const rnd = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 4294967296; };
  const words = ['news', 'product', 'category', 'blog', 'item', 'search', 'sport', 'article', 'user', 'tag', 'shop', 'deals',
    'review', 'guide', 'travel', 'garden', 'kitchen', 'phones', 'laptops', 'shoes'];
  const tlds = ['com', 'net', 'org', 'de', 'co.uk', 'fr', 'io'];
  const w = () => words[Math.floor(rnd() * words.length)]!;
  const hostNames = Array.from({ length: hosts }, (_, i) => `${i % 3 ? 'www.' : ''}${w()}${w()}${i}.${tlds[i % tlds.length]}`);
  const cdf: number[] = [];
  let sum = 0;
  for (let i = 1; i <= hosts; i++) cdf.push((sum += 1 / i));
  const pickHost = () => {
    const x = rnd() * sum;
    let lo = 0;
    let hi = hosts - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cdf[mid]! < x) lo = mid + 1; else hi = mid; }
    return hostNames[lo]!;
  };
  const plain = join(dir, 'urls.txt');
  const keyed = join(dir, 'urls.kcat.tsv');
  const a = createWriteStream(plain);
  const b = createWriteStream(keyed);
  let bufA = '';
  let bufB = '';
  for (let i = 0; i < count; i++) {
    const host = pickHost();
    const r = rnd();
    const path = r < 0.4 ? `/${w()}/${w()}-${w()}-${Math.floor(rnd() * 1e7)}.html`
      : r < 0.7 ? `/${w()}/${Math.floor(rnd() * 1e5)}/${w()}?page=${Math.floor(rnd() * 50)}&sort=${w()}`
        : r < 0.9 ? `/p/${Math.floor(rnd() * 1e9).toString(36)}?utm_source=${w()}&utm_medium=email&ref=${Math.floor(rnd() * 1e6)}`
          : `/${w()}/${w()}/${w()}-${Math.floor(rnd() * 1e4)}/`;
    const url = `https://${host}${path}`;
    bufA += `${url}\n`;
    bufB += `${host}\t${url}\n`;
    if (bufA.length > 1 << 20) {
      if (!a.write(bufA)) await new Promise<void>((r2) => a.once('drain', () => r2()));
      if (!b.write(bufB)) await new Promise<void>((r2) => b.once('drain', () => r2()));
      bufA = '';
      bufB = '';
    }
  }
  await Promise.all([new Promise<void>((r) => a.end(bufA, () => r())), new Promise<void>((r) => b.end(bufB, () => r()))]);
  return { plain, keyed };
}

async function withAdmin<T>(fn: (admin: ReturnType<typeof createAdmin>) => Promise<T>): Promise<T> {
  const admin = createAdmin({ config: { 'bootstrap.servers': brokers }, logger: quiet });
  await admin.connect();
  try { return await fn(admin); } finally { await admin.disconnect(); }
}

const delivered = (topic: string) => withAdmin(async (a) => (await a.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0));

async function runKscrape(file: string, count: number, id: string): Promise<RunResult> {
  const prefix = `${id}.`;
  await withAdmin((a) => a.createTopics({ topics: [{ topic: `${prefix}urls`, numPartitions: 50, replicationFactor: 1 }] }));
  try {
    const r = await timed(BIN, ['produce', file, '--brokers', brokers, '--topic-prefix', prefix, '--json']);
    const summary = JSON.parse(r.stdout) as { delivered: number };
    if (summary.delivered !== count) throw new Error(`kscrape delivered ${summary.delivered} of ${count}`);
    return r;
  } finally {
    await withAdmin((a) => a.deleteTopics({ topics: [`${prefix}urls`] })).catch(() => undefined);
  }
}

async function runKcat(file: string, count: number, id: string): Promise<RunResult> {
  const topic = `${id}.kcat`;
  await withAdmin((a) => a.createTopics({ topics: [{ topic, numPartitions: 50, replicationFactor: 1 }] }));
  try {
    const r = await timed('kcat', ['-P', '-b', brokers, '-t', topic, '-K', '\t', ...PRODUCER_SETTINGS.flatMap((s) => ['-X', s])], file);
    const n = await delivered(topic);
    if (n !== count) throw new Error(`kcat delivered ${n} of ${count}`);
    return r;
  } finally {
    await withAdmin((a) => a.deleteTopics({ topics: [topic] })).catch(() => undefined);
  }
}

/** The client's floor, measured in a fresh process (bench/_produce-floor.ts) so the bench's own heap does not weigh on it. */
async function runFloor(count: number, id: string, perMessageReports: boolean): Promise<number> {
  const topic = `${id}.floor${perMessageReports ? '-dr' : ''}`;
  await withAdmin((a) => a.createTopics({ topics: [{ topic, numPartitions: 50, replicationFactor: 1 }] }));
  try {
    const r = await timed(process.execPath, [FLOOR, brokers, topic, String(count), perMessageReports ? 'per-message' : 'failures-only', ...PRODUCER_SETTINGS]);
    return Number(r.stdout.trim());
  } finally {
    await withAdmin((a) => a.deleteTopics({ topics: [topic] })).catch(() => undefined);
  }
}

export async function run({ quick }: BenchOptions): Promise<void> {
  const count = quick ? 100_000 : 1_000_000;
  const rounds = quick ? 1 : 2;
  // Without kcat the peer run would die on a broken pipe halfway, after minutes of work: say so first.
  if (spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status !== 0) throw new Error('kcat is not on PATH (apt-get install kcat; scripts/setup.sh installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'kscrape-bench-produce-'));
  const id = `bench-produce-${Date.now().toString(36)}`;
  try {
    process.stderr.write(`brokers ${brokers}; generating ${count.toLocaleString('en-US')} URLs over 20,000 hosts (Zipf)\n`);
    const input = await writeInputs(dir, count);
    const small = await writeInputs(join(mkdtempSync(join(dir, 'small-'))), count / 10);
    const ks: RunResult[] = [];
    const kc: RunResult[] = [];
    for (let round = 0; round < rounds; round++) {
      ks.push(await runKscrape(input.plain, count, `${id}-k${round}`));
      kc.push(await runKcat(input.keyed, count, `${id}-c${round}`));
      process.stderr.write(`round ${round + 1}: kscrape ${ks[round]!.seconds.toFixed(2)} s, kcat ${kc[round]!.seconds.toFixed(2)} s\n`);
    }
    const smallRun = await runKscrape(small.plain, count / 10, `${id}-small`);
    const floor = await runFloor(count, id, false);
    const floorDr = await runFloor(count, id, true);
    const rate = (rs: RunResult[]) => count / (rs.reduce((s, r) => s + r.seconds, 0) / rs.length);
    const kRate = rate(ks);
    const cRate = rate(kc);
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    const lines = [
      `produce ${count.toLocaleString('en-US')} URLs, 50 partitions, acks=all, idempotent, lz4, linger.ms=10 (mean of ${rounds} round${rounds > 1 ? 's' : ''})`,
      `  kscrape produce: ${fmt(kRate)} URLs/s   peak RSS ${Math.max(...ks.map((r) => r.peakRssMb)).toFixed(0)} MB` +
        ` (input / 10: ${smallRun.peakRssMb.toFixed(0)} MB)`,
      `  kcat -P:         ${fmt(cRate)} URLs/s   peak RSS ${Math.max(...kc.map((r) => r.peakRssMb)).toFixed(0)} MB`,
      `  ratio kscrape/kcat: ${(kRate / cRate).toFixed(2)}`,
      `  client floor (pre-built messages, same BulkProducer, failure reports only, own process): ${fmt(floor)} URLs/s` +
        ` = ${(floor / cRate).toFixed(2)} x kcat; kscrape / floor ${(kRate / floor).toFixed(2)}`,
      `  the same with a delivery report per message (kscrape's previous producer): ${fmt(floorDr)} URLs/s = ${(floorDr / cRate).toFixed(2)} x kcat`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
