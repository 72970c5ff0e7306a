/**
 * `kscrape lag`: one report (exit code from the limits) or, with --watch, a table redrawn every interval with
 * rates and a Burrow-style status per partition until SIGINT/SIGTERM.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { formatDuration } from '../units.js';
import { type KafkaConfig, connectAdmin, readGroupsIsolated, type StartedChild } from '../kafka/index.js';
import { startLagGroupReads } from './group-reads-start.js';
import { collectLag, listGroups, type ReadGroups } from './collect.js';
import { consumerGroupIds } from './member-plan.js';
import { openTimestampProbe } from './oldest-record.js';
import { partitionStatus, rates, SampleWindows } from './partition-status.js';
import { partitionKey, renderSummary, renderTable, toJson, type WatchFigures } from './render.js';
import { evaluate, LagExit, type LagExitCode, type LagLimits } from './thresholds.js';
import type { GroupLag } from './lag-model.js';

export interface LagOptions {
  adminConfig: KafkaConfig;
  consumerConfig: KafkaConfig;
  logger: Logger;
  groups: string[];
  allGroups: boolean;
  limits: LagLimits;
  /** Skip reading record timestamps (no lag in time). */
  noTime: boolean;
  timeoutMs: number;
  json: boolean;
  color: boolean;
  /** Redraw in place (a terminal) rather than appending reports. */
  tty: boolean;
  /** Interval in ms for --watch; undefined for a single report. */
  watchMs: number | undefined;
  /** Samples per partition the watch status looks at. */
  window: number;
  write: (text: string) => void;
  /** Resolves when the watch loop should end (signals); tests pass their own. */
  stopSignal?: Promise<void>;
  /**
   * The group-reads child, started by the caller (startLagGroupReads) as early as it could be, before loading
   * this module; default: started here, first thing.
   */
  groupReadsChild?: StartedChild;
}

export async function runLag(opts: LagOptions): Promise<LagExitCode> {
  // Committed offsets and members are read in a child process, because the client can crash on those calls
  // (see src/kafka/isolated-group-reads.ts). It starts now, so that its start-up and connect overlap ours.
  let spare: StartedChild | undefined = opts.groupReadsChild ?? startLagGroupReads(opts);
  try {
    return await lagWithChild(opts, () => { const c = spare; spare = undefined; return c; });
  } finally {
    spare?.discard();
  }
}

/** runLag once the group-reads child is started; takeChild hands it over once (then undefined). */
async function lagWithChild(opts: LagOptions, takeChild: () => StartedChild | undefined): Promise<LagExitCode> {
  // The record reader connects while the admin client reads offsets: they need each other only at the end.
  const opened = opts.noTime ? undefined : openTimestampProbe({ config: opts.consumerConfig, logger: opts.logger, timeoutMs: opts.timeoutMs });
  let admin;
  try {
    admin = await connectAdmin({ config: opts.adminConfig, logger: opts.logger, timeoutMs: opts.timeoutMs });
  } catch (err) {
    await opened?.close();
    // A monitor must see UNKNOWN (3), not a generic failure, when lag cannot be read at all.
    return unreadable(opts, err);
  }
  const probe = opened?.probe;
  const readGroups: ReadGroups = (tasks) => {
    const started = takeChild();
    return readGroupsIsolated({ config: opts.adminConfig, logger: opts.logger, tasks, timeoutMs: opts.timeoutMs, ...(started ? { started } : {}) });
  };
  const once = async (): Promise<{ groups: GroupLag[]; at: number }> => {
    const listing = opts.allGroups ? await listGroups(admin.admin, opts.timeoutMs) : undefined;
    const groups = listing ? consumerGroupIds(listing) : opts.groups;
    const collected = groups.length
      ? await collectLag({ admin: admin.admin, readGroups, probe, groups, timeoutMs: opts.timeoutMs, ...(listing ? { listing } : {}) })
      : [];
    return { groups: collected, at: Date.now() };
  };
  try {
    if (opts.watchMs === undefined) {
      const { groups, at } = await once();
      return report(opts, groups, at, undefined);
    }
    return await watch(opts, once);
  } catch (err) {
    return unreadable(opts, err);
  } finally {
    await Promise.all([admin.close(), opened?.close()]);
  }
}

/** Nothing could be read: UNKNOWN on stderr and, with --json, as a report with no groups (never an empty stdout). */
function unreadable(opts: LagOptions, err: unknown): LagExitCode {
  opts.logger.error(`UNKNOWN: ${errorMessage(err)}`);
  if (opts.json) opts.write(`${JSON.stringify(toJson([], { code: LagExit.unknown, reasons: [errorMessage(err)] }, Date.now()))}\n`);
  return LagExit.unknown;
}

function report(opts: LagOptions, groups: GroupLag[], at: number, figures: Map<string, WatchFigures> | undefined): LagExitCode {
  const verdict = evaluate(groups, opts.limits);
  if (opts.json) {
    opts.write(`${JSON.stringify(toJson(groups, verdict, at, figures))}\n`);
  } else {
    const header = figures ? `kscrape lag --watch  ${new Date(at).toISOString()}  (Ctrl-C to stop)` : undefined;
    const table = renderTable(groups, verdict, { color: opts.color, noTime: opts.noTime, table: opts.tty, ...(figures ? { watch: figures } : {}) });
    const summary = renderSummary(groups, verdict, { color: opts.color, noTime: opts.noTime });
    if (opts.tty) {
      opts.write(`${figures ? '\x1b[H\x1b[2J' : ''}${header ? `${header}\n` : ''}${table}${summary.join('\n')}\n`);
    } else {
      // Off a terminal stdout holds the rows only (every line splits alike for awk); the rest is for a person.
      if (header) opts.logger.info(header);
      opts.write(table);
      for (const line of summary) opts.logger.info(line);
      for (const g of groups) for (const p of g.problems) if (p.kind === 'members') opts.logger.warn(p.detail);
    }
  }
  return verdict.code;
}

async function watch(opts: LagOptions, once: () => Promise<{ groups: GroupLag[]; at: number }>): Promise<LagExitCode> {
  const windows = new SampleWindows(opts.window);
  let stopped = false;
  let wake: () => void = () => undefined;
  const stop = () => { stopped = true; wake(); };
  const signals = opts.stopSignal ? undefined : (['SIGINT', 'SIGTERM'] as const);
  signals?.forEach((s) => process.once(s, stop));
  void opts.stopSignal?.then(stop);
  let code: LagExitCode = LagExit.unknown;
  try {
    while (!stopped) {
      const started = Date.now();
      try {
        const { groups, at } = await once();
        const figures = new Map<string, WatchFigures>();
        for (const g of groups) {
          for (const p of g.partitions) {
            if (p.committed === null || p.logEnd === null) continue;
            const key = partitionKey(g.group, p);
            const w = windows.add(key, { at, committed: p.committed, logEnd: p.logEnd });
            figures.set(key, { status: partitionStatus(w, g.members === null ? null : p.owner !== null), rates: rates(w) });
          }
        }
        code = report(opts, groups, at, figures);
      } catch (err) {
        code = LagExit.unknown;
        opts.logger.error(`UNKNOWN: ${errorMessage(err)}`);
      }
      if (stopped) break;
      // The interval runs from the start of a report, so reports come every interval, not interval + report time.
      const tookMs = Date.now() - started;
      const intervalMs = opts.watchMs ?? 0;
      if (tookMs > intervalMs) opts.logger.warn(`lag: this report took ${formatDuration(tookMs)}, longer than the --watch interval ${formatDuration(intervalMs)}`);
      await new Promise<void>((resolve) => { const t = setTimeout(resolve, Math.max(0, intervalMs - tookMs)); wake = () => { clearTimeout(t); resolve(); }; });
    }
  } finally {
    signals?.forEach((s) => process.off(s, stop));
  }
  return code;
}
