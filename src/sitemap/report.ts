/**
 * What a finished `kscrape sitemap` prints and its exit status. Exit 1 when a sitemap given on the command line
 * (or found for a given site) could not be read, or nothing was read at all; a broken child is only counted.
 * With --produce, produce's own status wins when it is not 0 (undelivered URLs, a signal).
 */
import { ExitCode } from '../errors.js';
import { produceReport } from '../produce/report.js';
import type { SitemapRunResult } from './run-sitemap.js';

export interface SitemapReport {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export function sitemapReport(result: SitemapRunResult, opts: { json: boolean; dedupe: boolean; quiet: boolean }): SitemapReport {
  const { stats } = result;
  const own = stats.stoppedBy === 'SIGINT' ? 130 : stats.stoppedBy === 'SIGTERM' ? 143
    : stats.rootFailures > 0 || stats.sitemapsRead === 0 ? ExitCode.failure : ExitCode.ok;
  const produced = result.produce ? produceReport(result.produce, opts) : undefined;
  const exitCode = produced && produced.exitCode !== ExitCode.ok ? produced.exitCode : own;
  if (opts.json) {
    const doc = { ...stats.toJSON(), produce: produced ? JSON.parse(produced.stdout) as unknown : null, exit_code: exitCode };
    return { stdout: `${JSON.stringify(doc)}\n`, stderr: '', exitCode };
  }
  const line = opts.quiet && own === ExitCode.ok ? '' : `${stats.summaryLine()}\n`;
  return { stdout: '', stderr: `${line}${produced?.stderr ?? ''}`, exitCode };
}
