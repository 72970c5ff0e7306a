/**
 * Processes for `bench/work.ts`: the targets child (IPC), the kscrape CLI and the Crawlee runner as whole
 * processes timed from spawn to exit, with the worker's peak RSS read from /proc/<pid>/status (VmHWM).
 */
import { fork, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createAdmin } from '../src/kafka/index.js';
import { createLogger } from '../src/log.js';
import type { Collected, StartMessage } from './_work-targets.js';

export const BIN = fileURLToPath(new URL('../../bin/kscrape', import.meta.url));
export const CRAWLEE_RUNNER = fileURLToPath(new URL('./_work-crawlee.js', import.meta.url));
const TARGETS = fileURLToPath(new URL('./_work-targets.js', import.meta.url));

export interface Targets {
  origins: string[];
  collect(): Promise<Collected>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTargets(opts: Omit<StartMessage, 'type'>): Promise<Targets> {
  const child = fork(TARGETS, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // The instrument goes first: a starved targets process would stamp arrivals late and blur the gaps. Real-time
  // (SCHED_FIFO) when allowed, so it runs the moment a request arrives; it is I/O-bound and light. Else nice -10.
  if (child.pid && !realTime(child.pid)) raisePriority(child.pid, -10);
  const next = <T>(type: string) => new Promise<T>((resolve, reject) => {
    const on = (msg: { type: string }) => { if (msg.type === type) { child.off('message', on); child.off('exit', onExit); resolve(msg as T); } };
    const onExit = (code: number | null) => reject(new Error(`targets process exited (${code})`));
    child.on('message', on);
    child.once('exit', onExit);
  });
  const started = next<{ origins: string[] }>('started');
  child.send({ type: 'start', ...opts });
  const { origins } = await started;
  return {
    origins,
    collect: () => { const r = next<Collected>('collected'); child.send({ type: 'collect' }); return r; },
    reset: async () => { const r = next('reset-done'); child.send({ type: 'reset' }); await r; },
    stop: () => new Promise((resolve) => { child.once('exit', () => resolve()); child.send({ type: 'stop' }); }),
  };
}

/** 127.0.10.1 … 127.0.10.n: distinct hosts for politeness, all inside --allow-cidr 127.0.10.0/24. */
export function loopbackHosts(n: number): string[] {
  if (n < 1 || n > 254) throw new Error(`hosts must be 1..254, not ${n}`);
  return Array.from({ length: n }, (_, i) => `127.0.10.${i + 1}`);
}

export interface ProcResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Spawn to exit. */
  seconds: number;
  /** Peak resident set (VmHWM) in MB, when polled. */
  peakRssMb?: number;
  /** From /proc/<pid>/schedstat, when polled: seconds on a CPU, and seconds runnable but waiting for one. */
  cpuSeconds?: number;
  runQueueSeconds?: number;
}

/** The environment of a user's shell, without this shell's KSCRAPE_* settings, plus `env`. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('KSCRAPE_') && k !== 'NODE_OPTIONS') out[k] = v;
  return { ...out, ...env };
}

export interface RunOptions {
  env?: Record<string, string>;
  /** Flags for node itself, before the script (e.g. --cpu-prof, which NODE_OPTIONS does not allow). */
  nodeArgs?: string[];
  pollRss?: boolean;
  timeoutMs?: number;
  onStderr?: (line: string) => void;
  /** Nice value to set on the child. */
  priority?: number;
  /** stdout to /dev/null instead of a pipe into this process (a tool whose output is the data, not a report). */
  discardStdout?: boolean;
}

/**
 * Runs `node <script> args` to completion; with `pollRss`, reads VmHWM and schedstat every 100 ms. kscrape's own
 * bin is executed as operators run it (its launcher adds kscrape's Node flags; `nodeArgs` go after them through
 * KSCRAPE_NODE_OPTIONS), any other script with `node`.
 */
export function runNode(script: string, args: string[], opts: RunOptions = {}): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const nodeArgs = opts.nodeArgs ?? [];
    const stdio: ['ignore', 'ignore' | 'pipe', 'pipe'] = ['ignore', opts.discardStdout ? 'ignore' : 'pipe', 'pipe'];
    const child = script === BIN
      ? spawn(BIN, args, { env: cleanEnv({ ...opts.env, ...(nodeArgs.length ? { KSCRAPE_NODE_OPTIONS: nodeArgs.join(' ') } : {}) }), stdio })
      : spawn(process.execPath, [...nodeArgs, script, ...args], { env: cleanEnv(opts.env ?? {}), stdio });
    if (opts.priority !== undefined && child.pid) raisePriority(child.pid, opts.priority);
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!opts.onStderr) return;
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) opts.onStderr(line);
    });
    let peakKb = 0;
    let sched = [0, 0];
    const poll = opts.pollRss ? setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
        // Main thread only (/proc/<pid>/schedstat is the thread group leader): the event loop's CPU and wait.
        sched = readFileSync(`/proc/${child.pid}/schedstat`, 'utf8').trim().split(/\s+/).slice(0, 2).map(Number);
      } catch { /* exited */ }
    }, 100) : undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve({ code, stdout, stderr, seconds: (performance.now() - t0) / 1000, ...(opts.pollRss ? { peakRssMb: peakKb / 1024, cpuSeconds: sched[0]! / 1e9, runQueueSeconds: sched[1]! / 1e9 } : {}) });
    });
  });
}

/** Puts a process on SCHED_FIFO (root only); false when it cannot. */
function realTime(pid: number): boolean {
  const r = spawnSync('chrt', ['-f', '-p', '10', String(pid)], { stdio: 'ignore' });
  return r.status === 0;
}

/** Sets a process's nice value (negative needs root); says so when it cannot, and goes on. */
export function raisePriority(pid: number, nice: number): void {
  try {
    setPriority(pid, nice);
  } catch (err) {
    process.stderr.write(`cannot set nice ${nice} on pid ${pid}: ${(err as Error).message}\n`);
  }
}

/** `kscrape <args>` with the pipeline's environment; fails the bench on a non-zero exit. */
export async function kscrape(args: string[], env: Record<string, string>, opts: Omit<RunOptions, 'env'> = {}): Promise<ProcResult> {
  const r = await runNode(BIN, args, { env, ...opts });
  if (r.code !== 0) throw new Error(`kscrape ${args.slice(0, 2).join(' ')} exited ${r.code}:\n${r.stderr.slice(-2000)}`);
  return r;
}

/** Deletes a run's topics (every topic whose name starts with `prefix`). */
export async function dropTopics(brokers: string, prefix: string): Promise<void> {
  const admin = createAdmin({ config: { 'bootstrap.servers': brokers }, logger: createLogger({ level: 'quiet' }) });
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}
