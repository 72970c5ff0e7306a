/**
 * The sink's PostgreSQL side: the connection pool (`--connections`), the bookkeeping tables and the sink table
 * brought to the current schema version. Migrations run under an advisory lock, so sinks starting together
 * (one per partition set) apply each one exactly once.
 */
import pg from 'pg';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SinkMode, SinkSource } from './defaults.js';
import { BOOKKEEPING_SQL, MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export interface PoolOptions {
  connectionString: string | undefined;
  connections: number;
  statementTimeoutMs: number;
  logger: Logger;
}

export function createPool(opts: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    ...(opts.connectionString === undefined ? {} : { connectionString: opts.connectionString }),
    max: opts.connections,
    connectionTimeoutMillis: Math.min(opts.statementTimeoutMs, 15_000),
    query_timeout: opts.statementTimeoutMs,
    keepAlive: true,
    application_name: 'kscrape-sink',
    idleTimeoutMillis: 30_000,
  });
  // An idle connection whose server went away emits 'error' on the pool; without a listener that ends the process.
  pool.on('error', (err) => opts.logger.debug(`idle PostgreSQL connection closed: ${err.message}`));
  return pool;
}

/** One fixed key for kscrape's schema changes (pg_advisory_xact_lock), so concurrent sinks migrate one at a time. */
const MIGRATION_LOCK = 0x6b736372; // 'kscr'

export interface TableSpec {
  table: string;
  mode: SinkMode;
  source: SinkSource;
}

/** Creates the bookkeeping tables and brings `spec.table` to the current version; returns the migrations applied. */
export async function ensureSchema(pool: pg.Pool, spec: TableSpec, logger: Logger): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    for (const sql of BOOKKEEPING_SQL) await client.query(sql);
    const known = await client.query<{ mode: string; source: string; schema_version: number }>(
      'SELECT mode, source, schema_version FROM kscrape_tables WHERE table_name = $1', [spec.table]);
    const current = known.rows[0];
    if (current && current.mode !== spec.mode) {
      throw new UserError(`table ${spec.table} was created for --mode ${current.mode}; use --mode ${current.mode} or another --table`, 'sink.mode-mismatch');
    }
    if (!current) {
      const exists = await client.query('SELECT to_regclass($1) AS t', [spec.table]);
      if ((exists.rows[0] as { t: string | null }).t !== null) {
        throw new UserError(`table ${spec.table} exists and was not created by kscrape sink; choose another --table`, 'sink.foreign-table');
      }
    }
    if (current && current.schema_version > SCHEMA_VERSION) {
      throw new UserError(`table ${spec.table} is at schema version ${current.schema_version}, newer than this kscrape (${SCHEMA_VERSION}): upgrade kscrape`, 'sink.schema-newer');
    }
    const from = current?.schema_version ?? 0;
    for (let version = from; version < SCHEMA_VERSION; version++) {
      for (const sql of MIGRATIONS[version]!(spec.table, spec.mode)) await client.query(sql);
      logger.info(`table ${spec.table}: schema version ${version + 1} applied`);
    }
    await client.query(
      `INSERT INTO kscrape_tables (table_name, mode, source, schema_version) VALUES ($1, $2, $3, $4)
       ON CONFLICT (table_name) DO UPDATE SET schema_version = EXCLUDED.schema_version,
         migrated_at = CASE WHEN kscrape_tables.schema_version = EXCLUDED.schema_version THEN kscrape_tables.migrated_at ELSE now() END`,
      [spec.table, spec.mode, spec.source, SCHEMA_VERSION]);
    await client.query('COMMIT');
    return SCHEMA_VERSION - from;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
