/**
 * Process plumbing of the fairness benchmark: the target process, worker processes (kscrape work or the
 * guide's serial worker) and their readiness, a paced `kscrape produce`, and waiting for the fetches.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Arrival } from './analysis.js';

export const BIN = fileURLToPath(new URL('../../../bin/kscrape', import.meta.url));
export const SERIAL_WORKER = fileURLToPath(new URL('../_serial-worker.js', import.meta.url));
const TARGET = fileURLToPath(new URL('./target-server.js', import.meta.url));

export interface TargetHandle {
  port: number;
  count(): Promise<number>;
  take(): Promise<Arrival[]>;
  stop(): Promise<void>;
}

export async function startTarget(address: string): Promise<TargetHandle> {
  const child = fork(TARGET, [address], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T>(type: string) => new Promise<T>((resolve, reject) => {
    const on = (msg: { type: string }) => { if (msg.type === type) { child.off('message', on); child.off('exit', onExit); resolve(msg as T); } };
    const onExit = () => reject(new Error('target process exited'));
    child.on('message', on);
    child.once('exit', onExit);
  });
  const { port } = await next<{ port: number }>('started');
  // Its stamps stand for what a remote host sees: on a loaded machine, let it run first (root only; else as is).
  try { setPriority(child.pid!, -5); } catch { /* not permitted: stamps carry more scheduling noise */ }
  return {
    port,
    async count() { const r = next<{ n: number }>('count'); child.send({ type: 'count' }); return (await r).n; },
    async take() { const r = next<{ arrivals: Arrival[] }>('arrivals'); child.send({ type: 'take' }); return (await r).arrivals; },
    stop: () => new Promise((resolve) => { child.once('exit', () => resolve()); child.send({ type: 'stop' }); }),
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Partitions this worker holds now, from its assigned/revoking log lines. */
  partitions: Set<number>;
  exited: Promise<number | null>;
}

/** Starts a worker; its stderr goes to `logFile`, and its assignment is followed from the log lines. */
export function startWorkerProcess(command: string, args: string[], logFile: string): WorkerProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: WriteStream = createWriteStream(logFile);
  const partitions = new Set<number>();
  let pending = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    log.write(chunk);
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const m = /(assigned|revoking) partitions ([\d,]*)/.exec(line);
      if (!m) continue;
      for (const p of (m[2] ?? '').split(',').filter(Boolean).map(Number)) {
        if (m[1] === 'assigned') partitions.add(p); else partitions.delete(p);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { log.end(); resolve(code); }));
  return { child, partitions, exited };
}

export async function waitUntil(what: string, test: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until the group's members hold every partition between them (and each holds some). */
export function waitForAssignment(workers: WorkerProcess[], partitions: number, timeoutMs: number): Promise<void> {
  return waitUntil('the workers to share every partition', () => {
    const all = new Set(workers.flatMap((w) => [...w.partitions]));
    return all.size === partitions && workers.every((w) => w.partitions.size > 0);
  }, timeoutMs);
}

export async function stopWorkers(workers: WorkerProcess[], graceMs = 20_000): Promise<void> {
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map(async (w) => {
    const timer = setTimeout(() => w.child.kill('SIGKILL'), graceMs);
    await w.exited;
    clearTimeout(timer);
  }));
}

/**
 * Feeds JSON lines to `kscrape produce -` at an even pace over `spreadMs`, each stamped with
 * discovered_at = the moment it is written. Returns the stamps, in line order. With `warmup`, its URLs go
 * first through the same producer and `warmup.done()` is awaited before the paced lines start: neither the
 * producer's start-up nor the workers' first fetches are then part of any measured latency.
 */
export async function producePaced(args: string[], urls: readonly string[], spreadMs: number,
  warmup?: { urls: readonly string[]; done: () => Promise<void> }): Promise<number[]> {
  const child = spawn(BIN, ['produce', '-', '--format', 'jsonl', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const line = (url: string, at: number) => `${JSON.stringify({ url, discovered_at: at })}\n`;
  if (warmup) {
    child.stdin.write(warmup.urls.map((u) => line(u, Date.now())).join(''));
    await Promise.race([warmup.done(), closed.then(() => { throw new Error(`kscrape produce ended during the warm-up: ${stderr.slice(-800)}`); })]);
  }
  const stamps: number[] = [];
  const t0 = Date.now();
  const tickMs = 50;
  let i = 0;
  while (i < urls.length) {
    const due = Math.min(urls.length, Math.ceil(((Date.now() - t0 + tickMs) / spreadMs) * urls.length));
    let chunk = '';
    const now = Date.now();
    for (; i < due; i++) {
      chunk += line(urls[i]!, now);
      stamps.push(now);
    }
    if (chunk && !child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
    if (i < urls.length) await new Promise((r) => setTimeout(r, tickMs));
  }
  child.stdin.end();
  const code = await closed;
  if (code !== 0) throw new Error(`kscrape produce exited ${code}: ${stderr.slice(-800)}`);
  const expected = urls.length + (warmup?.urls.length ?? 0);
  const summary = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { delivered?: number };
  if (summary.delivered !== expected) throw new Error(`kscrape produce delivered ${summary.delivered} of ${expected}`);
  return stamps;
}
