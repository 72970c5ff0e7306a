/** What a finished `produce` run prints and its exit status: 0 only when every valid URL was delivered. */
import { ExitCode } from '../errors.js';
import { renderSummary } from './produce-stats.js';
import type { ProduceResult } from './run-produce.js';

/** Conventional statuses for a run ended by a signal (128 + signal number). */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export interface ProduceReport {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export function produceReport(result: ProduceResult, opts: { json: boolean; dedupe: boolean; quiet: boolean }): ProduceReport {
  const { stats } = result;
  const exitCode = result.stoppedBy ? SIGNAL_EXIT[result.stoppedBy] ?? ExitCode.failure
    : stats.failed > 0 || !stats.accounted() ? ExitCode.failure : ExitCode.ok;
  if (opts.json) {
    const doc = {
      topic: result.topic,
      partitions: result.partitionCount,
      ...stats.toJSON(),
      fallback_file: result.fallbackFile ?? null,
      rejects_file: result.rejectsFile ?? null,
      stopped_by: result.stoppedBy ?? null,
      transactions: {
        committed: result.transactions.committed, aborted: result.transactions.aborted,
        aborts_unconfirmed: result.transactions.abortsUnconfirmed, urls_in_doubt: result.transactions.urlsInDoubt,
      },
      unread: result.unread ? { source: result.unread.source, after_line: result.unread.afterLine } : null,
      exit_code: exitCode,
    };
    return { stdout: `${JSON.stringify(doc)}\n`, stderr: '', exitCode };
  }
  let stderr = renderSummary(stats, {
    topic: result.topic, partitionCount: result.partitionCount, dedupe: opts.dedupe,
    fallbackFile: result.fallbackFile, rejectsFile: result.rejectsFile, stoppedBy: result.stoppedBy, transactions: result.transactions,
  });
  if (result.unread) stderr += `input not read after line ${result.unread.afterLine} of ${result.unread.source === '-' ? 'stdin' : result.unread.source}\n`;
  if (opts.quiet) stderr = exitCode === ExitCode.ok ? '' : `kscrape: ${stats.failed} URLs not delivered${result.fallbackFile ? `; they are in ${result.fallbackFile}` : ''}\n`;
  return { stdout: '', stderr, exitCode };
}
