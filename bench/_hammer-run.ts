/**
 * Runs `processes` hammer processes (bench/_limiter-hammer.ts) at once against one key and gathers their
 * admissions; plus the arithmetic both the test and the benchmark judge them by.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HammerJob, HammerResult } from './_limiter-hammer.js';

/** The compiled child script; tests (run from sources) pass dist/bench/_limiter-hammer.js explicitly. */
const SCRIPT = fileURLToPath(new URL('./_limiter-hammer.js', import.meta.url));

export interface HammerRun {
  admittedAt: number[];
  calls: number;
  clock: HammerResult['clock'];
  durationMs: number;
}

export async function runHammer(
  job: HammerJob & { processes: number },
  script = SCRIPT,
): Promise<HammerRun> {
  const children = Array.from({ length: job.processes }, () => runOne(job, script));
  // Everyone starts together once every process is up and connected, however slowly they started.
  await Promise.all(children.map((c) => c.ready));
  const go = `${JSON.stringify({ startAt: Date.now() + 100 })}\n`;
  for (const c of children) c.go(go);
  const results = await Promise.all(children.map((c) => c.result));
  return {
    admittedAt: results.flatMap((r) => r.admittedAt).sort((a, b) => a - b),
    calls: results.reduce((n, r) => n + r.calls, 0),
    clock: results[0]!.clock,
    durationMs: job.durationMs,
  };
}

function runOne(job: HammerJob, script: string): { ready: Promise<void>; go(line: string): void; result: Promise<HammerResult> } {
  const proc = spawn(process.execPath, [script, JSON.stringify(job)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let signalReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => { signalReady = resolve; });
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) signalReady();
  });
  proc.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const result = new Promise<HammerResult>((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) reject(new Error(`hammer process exited ${code}: ${err.trim()}`));
      else resolve(JSON.parse(out.replace(/^ready\n/, '')) as HammerResult);
    });
  });
  // A child that dies before it is ready must not leave the run waiting forever.
  result.catch(() => signalReady());
  return { ready, go: (line) => proc.stdin.end(line), result };
}

/** The most admissions inside any half-open window [t, t + windowMs) — "R per second" means this is <= R. */
export function peakInWindow(sortedTimes: readonly number[], windowMs: number): number {
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sortedTimes.length; end++) {
    while (sortedTimes[end]! - sortedTimes[start]! >= windowMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

/** The smallest gap between consecutive admissions (Infinity with fewer than two). */
export function minGap(sortedTimes: readonly number[]): number {
  let gap = Infinity;
  for (let i = 1; i < sortedTimes.length; i++) gap = Math.min(gap, sortedTimes[i]! - sortedTimes[i - 1]!);
  return gap;
}
