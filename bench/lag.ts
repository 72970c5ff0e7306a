/**
 * `npm run bench -- lag [--quick]`: wall time of `kscrape lag --group g` on a group over 50 partitions against
 * Kafka's own `kafka-consumer-groups --describe` (ConsumerGroupCommand from the broker's jars), same broker, same
 * run, same group. Both are whole processes started from the shell, as an operator or a monitor runs them.
 * Uses hyperfine when it is on PATH (apt-get install -y hyperfine); otherwise runs each N times and takes medians.
 * Needs KSCRAPE_BROKERS (eval "$(npm run -s stack -- env)").
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import KafkaJavascript from '@confluentinc/kafka-javascript';
import { ensureKafkaJars } from '../scripts/stack/kafka-jars.js';
import { createAdmin, createProducer } from '../src/kafka/index.js';
import { createLogger } from '../src/log.js';
import type { BenchOptions } from './index.js';

const run = promisify(execFile);
const PARTITIONS = 50;
const quiet = createLogger({ level: 'quiet' });
const BIN = fileURLToPath(new URL('../../bin/kscrape', import.meta.url));
const LAG_ONLY = fileURLToPath(new URL('./_lag-only.js', import.meta.url));

async function prepareGroup(brokers: string): Promise<{ topic: string; group: string }> {
  const id = Date.now().toString(36);
  const topic = `bench-lag-${id}`;
  const group = `bench-lag-group-${id}`;
  const admin = createAdmin({ config: { 'bootstrap.servers': brokers }, logger: quiet });
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }] });
  await admin.disconnect();
  const producer = createProducer({ config: { 'bootstrap.servers': brokers }, logger: quiet }, { 'linger.ms': 5 });
  await producer.connect();
  const messages = [];
  for (let p = 0; p < PARTITIONS; p++) for (let i = 0; i < 100; i++) messages.push({ partition: p, value: `url-${p}-${i}` });
  await producer.send({ topic, messages });
  await producer.disconnect();
  // A stable group: committed offsets (every partition lagging), no live member.
  const c = new KafkaJavascript.KafkaConsumer({ 'bootstrap.servers': brokers, 'group.id': group, 'enable.auto.commit': false }, {});
  await new Promise<void>((resolve, reject) => c.connect({ timeout: 10_000 }, (err) => (err ? reject(err) : resolve())));
  c.commitSync(Array.from({ length: PARTITIONS }, (_, p) => ({ topic, partition: p, offset: 10 + (p % 50) })));
  await new Promise<void>((resolve) => c.disconnect(() => resolve()));
  return { topic, group };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeRuns(cmd: string, args: string[], n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await run(cmd, args, { maxBuffer: 16 * 1024 * 1024 });
    times.push(performance.now() - t0);
  }
  return median(times);
}

function shellQuote(args: string[]): string {
  return args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
}

export async function run_(opts: BenchOptions): Promise<void> {
  const brokers = process.env.KSCRAPE_BROKERS;
  if (!brokers) throw new Error('KSCRAPE_BROKERS is not set: start the stack (npm run stack -- up --free-ports; eval "$(npm run -s stack -- env)")');
  const runs = opts.quick ? 3 : 10;
  const { dir } = await ensureKafkaJars();
  const { group } = await prepareGroup(brokers);
  const ours = [BIN, '--brokers', brokers, 'lag', '--group', group];
  const theirs = ['java', '-cp', `${dir}/*`, 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', '--bootstrap-server', brokers, '--describe', '--group', group];
  // Both must succeed and report the same total lag before their times mean anything.
  const check = JSON.parse((await run(ours[0]!, [...ours.slice(1), '--json'])).stdout) as { groups: { lag: number }[] };
  const kafkaOut = (await run(theirs[0]!, theirs.slice(1))).stdout;
  const kafkaLag = kafkaOut.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f[0] === group).reduce((s, f) => s + Number(f[5]), 0);
  process.stderr.write(`group ${group}: ${PARTITIONS} partitions, lag kscrape ${check.groups[0]!.lag}, kafka-consumer-groups ${kafkaLag}\n`);
  if (check.groups[0]!.lag !== kafkaLag) throw new Error('the two tools disagree on the lag');

  const lagOnly = [process.execPath, LAG_ONLY, brokers, group];
  let oursMs: number;
  let theirsMs: number;
  let lagOnlyMs: number;
  let method: string;
  if (spawnSync('hyperfine', ['--version']).status === 0) {
    const tmp = mkdtempSync(join(tmpdir(), 'bench-lag-'));
    const out = join(tmp, 'h.json');
    spawnSync('hyperfine', ['-N', '--warmup', '1', '--runs', String(runs), '--export-json', out, shellQuote(ours), shellQuote(theirs), shellQuote(lagOnly)],
      { stdio: ['ignore', 'ignore', 'inherit'] });
    const results = (JSON.parse(readFileSync(out, 'utf8')) as { results: { median: number }[] }).results;
    [oursMs, theirsMs, lagOnlyMs] = results.map((r) => r.median * 1000) as [number, number, number];
    rmSync(tmp, { recursive: true, force: true });
    method = `hyperfine, ${runs} runs, median`;
  } else {
    await timeRuns(ours[0]!, ours.slice(1), 1);
    oursMs = await timeRuns(ours[0]!, ours.slice(1), runs);
    theirsMs = await timeRuns(theirs[0]!, theirs.slice(1), runs);
    lagOnlyMs = await timeRuns(lagOnly[0]!, lagOnly.slice(1), runs);
    method = `${runs} runs each, median`;
  }
  process.stdout.write(`lag --group over ${PARTITIONS} partitions (${method}): kscrape ${oursMs.toFixed(0)} ms, kafka-consumer-groups --describe ${theirsMs.toFixed(0)} ms, ratio ${(theirsMs / oursMs).toFixed(1)}x faster\n`);
  process.stdout.write(`  the same lag code in a process that loads only the lag modules: ${lagOnlyMs.toFixed(0)} ms, ratio ${(theirsMs / lagOnlyMs).toFixed(1)}x `
    + `(the difference is the CLI's own start-up: commander and the command files; since 2026-11-25 they load the lag modules only when lag runs)\n`);
}

export { run_ as run };
