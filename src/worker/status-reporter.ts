/**
 * What a person watching `kscrape work` (and `extract`, `sink postgres`) sees: on a terminal, one live ora line;
 * otherwise (logs, systemd) one plain line per interval. Both come from the same snapshot, and both go to stderr.
 */
import ora, { type Ora } from 'ora';
import type { Logger } from '../log.js';
import type { WorkerSnapshot } from './stats.js';

export function formatStatus(s: WorkerSnapshot): string {
  return [
    `${s.fetchedPerSec.toFixed(1)} fetched/s`,
    `${s.inFlight} in flight`,
    `${s.hosts} hosts`,
    `${s.queued} queued`,
    `pages ${s.pages}`,
    `errors ${s.errors}`,
    `dlq ${s.dlq}`,
    ...(s.notModified ? [`not-modified ${s.notModified}`] : []),
    ...(s.duplicates ? [`duplicates ${s.duplicates}`] : []),
    ...(s.malformed ? [`malformed ${s.malformed}`] : []),
    `partitions ${s.assigned}${s.pausedPartitions ? ` (${s.pausedPartitions} paused)` : ''}`,
    ...(s.consumerRestarts ? [`restarts ${s.consumerRestarts}`] : []),
  ].join(' · ');
}

export interface StatusReporter {
  stop(finalLine?: string): void;
}

/** What the line shows: the worker's snapshot, or another command's own line (`extract`, `sink postgres`). */
export type StatusSource = { snapshot(): WorkerSnapshot } | { line(): string };

export function startStatusReporter(opts: StatusSource & {
  intervalMs: number;
  logger: Logger;
  /** Live line (ora) instead of periodic log lines. */
  tty: boolean;
}): StatusReporter {
  if (opts.logger.level === 'quiet') return { stop: () => undefined };
  let spinner: Ora | undefined;
  if (opts.tty) {
    spinner = ora({ text: 'starting…', stream: process.stderr }).start();
  }
  const tick = () => {
    const line = 'line' in opts ? opts.line() : formatStatus(opts.snapshot());
    if (spinner) spinner.text = line;
    else opts.logger.info(`status: ${line}`);
  };
  const timer = setInterval(tick, spinner ? Math.min(opts.intervalMs, 1_000) : opts.intervalMs);
  timer.unref();
  return {
    stop(finalLine) {
      clearInterval(timer);
      if (spinner) {
        if (finalLine) spinner.succeed(finalLine);
        else spinner.stop();
      } else if (finalLine) {
        opts.logger.info(finalLine);
      }
    },
  };
}
