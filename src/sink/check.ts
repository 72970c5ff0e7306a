/**
 * `kscrape sink postgres --check`: the table (mode, schema version, rows, newest fetch) and, per partition, the
 * offset stored with the rows against the topic's end: the sink's lag, read from the database itself (Kafka's
 * committed offsets only follow it).
 */
import type { GlobalContext } from '../context/global-context.js';
import type { CommandRuntime } from '../context/runtime.js';
import { withDeadline } from '../deadline.js';
import { ExitCode, RuntimeFailure, errorMessage } from '../errors.js';
import { connectAdmin } from '../kafka/index.js';
import { createPool } from './database.js';
import type { SinkSettings } from './defaults.js';
import { resolveDsn } from './dsn.js';
import { readStoredOffsets } from './offset-store.js';
import { quoteTable } from './schema.js';

export interface SinkCheckReport {
  table: string;
  exists: boolean;
  mode: string | null;
  schema_version: number | null;
  rows: number;
  newest_fetch: string | null;
  group: string;
  topic: string;
  partitions: { partition: number; stored: number | null; end: number; lag: number }[];
  lag: number;
}

/** Pure: stored offsets against the log ends (a partition with nothing stored lags by everything after its start). */
export function sinkLag(stored: Map<number, number>, ends: { partition: number; low: number; high: number }[]): SinkCheckReport['partitions'] {
  return ends.sort((a, b) => a.partition - b.partition).map(({ partition, low, high }) => {
    const at = stored.get(partition);
    return { partition, stored: at ?? null, end: high, lag: Math.max(0, high - Math.max(at ?? low, low)) };
  });
}

export async function runSinkCheck(ctx: GlobalContext, s: SinkSettings, runtime: CommandRuntime): Promise<void> {
  const { logger } = ctx;
  const topic = ctx.topic(s.source);
  const dsn = resolveDsn(s.dsn);
  const pool = createPool({ connectionString: dsn.connectionString, connections: 1, statementTimeoutMs: s.statementTimeoutMs, logger });
  try {
    let table: Pick<SinkCheckReport, 'exists' | 'mode' | 'schema_version' | 'rows' | 'newest_fetch'>;
    let stored: Map<number, number>;
    try {
      table = await describeTable(pool, s.table);
      stored = table.exists ? await readStoredOffsets(pool, { group: s.group, topic }) : new Map();
    } catch (err) {
      throw new RuntimeFailure(`cannot read PostgreSQL at ${dsn.display}: ${errorMessage(err)}`, 'sink.database', { retriable: true, cause: err });
    }
    const { admin, close } = await connectAdmin({ config: ctx.kafkaConfig('admin'), logger, timeoutMs: 15_000 });
    let ends: { partition: number; low: number; high: number }[];
    try {
      ends = (await withDeadline(admin.fetchTopicOffsets(topic), 15_000, `offsets of ${topic}`))
        .map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }));
    } catch (err) {
      throw new RuntimeFailure(`cannot read the offsets of ${topic} (${errorMessage(err)}); does it exist? (kscrape topics create)`, 'sink.topic', { cause: err });
    } finally {
      await close();
    }
    const partitions = sinkLag(stored, ends);
    const report: SinkCheckReport = { table: s.table, ...table, group: s.group, topic, partitions, lag: partitions.reduce((n, p) => n + p.lag, 0) };
    runtime.stdout.write(ctx.json ? `${JSON.stringify(report)}\n` : renderCheck(report));
    runtime.setExitCode(ExitCode.ok);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

async function describeTable(pool: import('pg').Pool, name: string): Promise<Pick<SinkCheckReport, 'exists' | 'mode' | 'schema_version' | 'rows' | 'newest_fetch'>> {
  const known = await pool.query<{ mode: string; schema_version: number }>(
    "SELECT mode, schema_version FROM kscrape_tables WHERE table_name = $1 AND to_regclass('kscrape_tables') IS NOT NULL", [name])
    .catch((err: { code?: string }) => { if (err.code === '42P01') return { rows: [] }; throw err; });
  const info = known.rows[0];
  if (!info) return { exists: false, mode: null, schema_version: null, rows: 0, newest_fetch: null };
  const counts = await pool.query<{ rows: string; newest: Date | null }>(`SELECT count(*) AS rows, max(fetched_at) AS newest FROM ${quoteTable(name)}`);
  const row = counts.rows[0];
  return { exists: true, mode: info.mode, schema_version: info.schema_version, rows: Number(row?.rows ?? 0), newest_fetch: row?.newest ? row.newest.toISOString() : null };
}

export function renderCheck(r: SinkCheckReport): string {
  const lines = [
    r.exists
      ? `table ${r.table}: ${r.mode} mode, schema version ${r.schema_version}, ${r.rows} rows${r.newest_fetch ? `, newest fetch ${r.newest_fetch}` : ''}`
      : `table ${r.table}: not created yet (the first run creates it)`,
    `group ${r.group} on ${r.topic}: lag ${r.lag}`,
    'partition  stored      end         lag',
    ...r.partitions.map((p) => `${String(p.partition).padEnd(10)} ${String(p.stored ?? '-').padEnd(11)} ${String(p.end).padEnd(11)} ${p.lag}`),
  ];
  return `${lines.join('\n')}\n`;
}
