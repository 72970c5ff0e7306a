/**
 * Shared pieces of the chaos scenarios (test/integration/chaos/*.test.ts): `kscrape` processes that can be
 * killed and whose stderr lines are stamped on arrival, pipelines created with the CLI, and the short/full
 * switch (KSCRAPE_CHAOS_FULL=1, set by `npm run test:chaos`). Their hostile loopback targets are
 * startTargetProcess's route kinds (test/helpers/http-targets.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BIN, cliEnv, runCli } from './cli.js';
import { uniqueName } from './env.js';


/** The long version of every scenario runs with KSCRAPE_CHAOS_FULL=1; the suite (and CI) runs the short one. */
export const FULL = process.env.KSCRAPE_CHAOS_FULL === '1';
export const scale = (short: number, full: number) => (FULL ? full : short);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The two ways a scenario runs: at-least-once (the default; duplicates counted, not failed on) and `--eos`,
 * where the audit's read_committed reader must see no duplicate. `flags(id)` gives a worker's extra flags: its
 * --worker-id names its transactional producer, so a restarted worker must get the same one back.
 */
export const DELIVERY_MODES = [
  { name: 'at-least-once', mode: 'at-least-once' as const, flags: (_workerId: string): string[] => [] },
  { name: '--eos', mode: 'exactly-once' as const, flags: (workerId: string): string[] => ['--eos', '--worker-id', workerId] },
];

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

export interface KscrapeProcess {
  child: ChildProcess;
  /** stderr lines with the moment this process read them. */
  lines: { at: number; text: string }[];
  stdout(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running(): boolean;
}

/** Starts `kscrape <args>` with a clean KSCRAPE_* environment plus `env`; stdin is closed. */
export function startKscrape(args: string[], env: Record<string, string>): KscrapeProcess {
  const child = spawn(BIN, args, { env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: { at: number; text: string }[] = [];
  let partial = '';
  let out = '';
  child.stderr!.on('data', (d: Buffer) => {
    const at = Date.now();
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    for (const text of parts) lines.push({ at, text });
  });
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  let alive = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => { alive = false; if (partial) lines.push({ at: Date.now(), text: partial }); resolve({ code, signal }); });
  });
  return { child, lines, stdout: () => out, exited, running: () => alive };
}

/** Ends a process this test started, by its pid: SIGKILL when asked, else `signal` then SIGKILL after graceMs. */
export async function stopKscrape(p: KscrapeProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (!p.running()) return p.exited;
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  const result = await p.exited;
  clearTimeout(timer);
  return result;
}

export interface ChaosPipeline {
  prefix: string;
  env: Record<string, string>;
}

/** Topics created with `kscrape topics create` under a fresh prefix on `brokers`. */
export async function createPipeline(brokers: string, urlPartitions: number, extraEnv: Record<string, string> = {}): Promise<ChaosPipeline> {
  const prefix = `${uniqueName('chaos')}.`;
  const env = { KSCRAPE_BROKERS: brokers, KSCRAPE_TOPIC_PREFIX: prefix, ...extraEnv };
  // Outcome topics small: the machine is shared, and the audit reads them all.
  const partitions = [`urls=${urlPartitions}`, 'pages=2', 'extractions=1', 'errors=1', 'dlq=2', 'metrics=1', 'dlq.parked=1'].flatMap((p) => ['--partitions', p]);
  const created = await runCli(['topics', 'create', '--replication-factor', '1', ...partitions], { env, timeoutMs: 90_000 });
  if (created.code !== 0) throw new Error(`topics create failed (${created.code}): ${created.stderr}`);
  return { prefix, env };
}

export async function produceUrls(p: ChaosPipeline, urls: string[]): Promise<void> {
  const r = await runCli(['produce'], { env: p.env, input: `${urls.join('\n')}\n`, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`produce failed (${r.code}): ${r.stderr}`);
}

/** Arrival times of one path, over all addresses, sorted. */
export function arrivalTimes(arrivals: Record<string, { path: string; at: number }[]>, path?: string): number[] {
  return Object.values(arrivals).flat().filter((a) => path === undefined || a.path === path).map((a) => a.at).sort((a, b) => a - b);
}

/** Longest gap between consecutive times inside [from, to] (the window edges count as times). */
export function longestGap(times: number[], from: number, to: number): number {
  const inside = [from, ...times.filter((t) => t > from && t < to), to];
  let max = 0;
  for (let i = 1; i < inside.length; i++) max = Math.max(max, inside[i]! - inside[i - 1]!);
  return max;
}

const CLIENTS = fileURLToPath(new URL('../../dist/src/kafka/clients.js', import.meta.url));
const LOG = fileURLToPath(new URL('../../dist/src/log.js', import.meta.url));

/**
 * A group's committed offsets and the topic's high watermarks, read in a child process: the client's admin
 * fetchOffsets can crash the whole process (SIGSEGV) when the coordinator errors, which happens around a
 * broker restart; a crashed child is just a failed read (undefined). Needs dist/ (npx tsc -p tsconfig.build.json).
 */
export async function readGroupOffsets(brokers: string, group: string, topic: string, timeoutMs = 15_000): Promise<{ committed: number; high: number; detail: string } | undefined> {
  const script = `
    import { createAdmin } from ${JSON.stringify(CLIENTS)};
    import { createLogger } from ${JSON.stringify(LOG)};
    const [brokers, group, topic] = process.argv.slice(1);
    const admin = createAdmin({ config: { 'bootstrap.servers': brokers }, logger: createLogger({ level: 'quiet' }) });
    await admin.connect();
    const [[c], highs] = await Promise.all([admin.fetchOffsets({ groupId: group, topics: [topic] }), admin.fetchTopicOffsets(topic)]);
    await admin.disconnect();
    process.stdout.write(JSON.stringify({ committed: c ? c.partitions.map((p) => [p.partition, Number(p.offset)]) : [], highs: highs.map((h) => [h.partition, Number(h.high)]) }));
    process.exit(0);`;
  const out = await new Promise<string | undefined>((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, brokers, group, topic], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout!.on('data', (d: Buffer) => { text += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve(code === 0 ? text : undefined); });
  });
  if (!out) return undefined;
  const { committed, highs } = JSON.parse(out) as { committed: [number, number][]; highs: [number, number][] };
  const byPartition = new Map(committed.map(([p, o]) => [p, Math.max(0, o)]));
  return {
    committed: [...byPartition.values()].reduce((a, b) => a + b, 0),
    high: highs.reduce((n, [, h]) => n + h, 0),
    detail: highs.map(([p, h]) => `${p}: committed ${byPartition.get(p) ?? '-'} / high ${h}`).join(', '),
  };
}
