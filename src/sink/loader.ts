/**
 * Loads one partition's batch in one PostgreSQL transaction: lock the partition's offset row, skip what is
 * already stored, COPY the rows (upsert: into a temporary table, then one INSERT … ON CONFLICT that lets only a
 * newer fetch replace a row; append: straight into the table), hand the rejects to the caller, store the next
 * offset, commit. A row PostgreSQL refuses is found by halving the batch under savepoints and rejected alone;
 * the rest of the batch goes on.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { SinkMode } from './defaults.js';
import { cellsOfLine, copyPayload } from './copy-text.js';
import { DirectCopyPolicy } from './direct-copy.js';
import { lockPartition, storeOffset, type OffsetKey } from './offset-store.js';
import { brokenConnection, classifyPgError } from './pg-errors.js';
import type { SourceMessage } from './row-mapping.js';
import { COLUMN_NAMES, quoteIdent, quoteTable } from './schema.js';

/** A record that will not be stored, with why. */
export interface Reject {
  message: SourceMessage;
  reason: 'malformed' | 'too-large' | 'unloadable';
  detail: string;
}

export interface BatchEntry {
  /** Where the record came from; its value is dropped once mapped (the row holds it), to halve the memory held. */
  message: SourceMessage;
  /** The mapped row as its COPY line (copy-text.ts), or undefined when mapping already rejected the record (`reject`). */
  line: string | undefined;
  reject: Reject | undefined;
}

export interface PartitionBatch {
  partition: number;
  /** In offset order. */
  entries: BatchEntry[];
  /** The partition's next offset once this batch is stored (its last offset + 1). */
  nextOffset: number;
}

export interface LoadResult {
  /** Rows written (inserted or, in upsert mode, offered to the table: an older fetch changes nothing). */
  rows: number;
  /** Records below the stored offset: loaded before (a redelivery after a crash or rebalance). */
  skipped: number;
  rejects: number;
  /** The partition's stored next offset after the commit. */
  nextOffset: number;
}

export interface LoaderOptions {
  pool: pg.Pool;
  table: string;
  mode: SinkMode;
  offsets: OffsetKey;
  /** Delivers the batch's rejects (to the errors topic) before the transaction commits; throws to retry the batch. */
  deliverRejects(rejects: Reject[]): Promise<void>;
}

const STAGE = 'kscrape_stage';
/** SQLSTATE unique_violation: the direct COPY met a URL the table (or the batch) already has. */
const UNIQUE_VIOLATION = '23505';

export class Loader {
  private readonly staged = new WeakSet<pg.PoolClient>();
  private readonly columns = COLUMN_NAMES.map(quoteIdent).join(', ');
  private readonly target: string;
  private readonly direct = new DirectCopyPolicy();
  /** Upsert batches (or bisected parts of them) stored by the direct COPY, and ones that went staged after trying it. */
  readonly directCopies = { stored: 0, conflicted: 0 };

  constructor(private readonly opts: LoaderOptions) {
    this.target = quoteTable(opts.table);
  }

  /** Loads the batch; throws (after rolling back) when the database failed: the caller retries the same batch. */
  async load(batch: PartitionBatch): Promise<LoadResult> {
    const client = await this.opts.pool.connect();
    // A connection that dies between two statements emits 'error' on the client (the pool listens only while it is
    // idle); unheard, that would end the process. The next statement fails too, and the batch is retried.
    const onError = (): void => undefined;
    client.on('error', onError);
    let failure: unknown;
    try {
      await this.ensureStage(client);
      await client.query('BEGIN');
      const stored = await lockPartition(client, this.opts.offsets, batch.partition);
      const fresh = stored === undefined ? batch.entries : batch.entries.filter((e) => e.message.offset >= stored);
      const rejects = fresh.flatMap((e) => (e.reject ? [e.reject] : []));
      const rows = fresh.filter((e) => e.line !== undefined);
      const refused = rows.length ? await this.storeRows(client, batch.partition, rows) : [];
      for (const r of refused) rejects.push(r);
      if (rejects.length) await this.opts.deliverRejects(rejects);
      const nextOffset = Math.max(stored ?? 0, batch.nextOffset);
      await storeOffset(client, this.opts.offsets, batch.partition, nextOffset);
      await client.query('COMMIT');
      return { rows: rows.length - refused.length, skipped: batch.entries.length - fresh.length, rejects: rejects.length, nextOffset };
    } catch (err) {
      failure = err;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.off('error', onError);
      client.release(failure !== undefined && brokenConnection(failure) ? (failure as Error) : undefined);
    }
  }

  /** Stores the rows; returns the ones PostgreSQL refused (each alone), having stored all the others. */
  private async storeRows(client: pg.PoolClient, partition: number, entries: BatchEntry[]): Promise<Reject[]> {
    try {
      await this.attempt(client, partition, entries, false);
      return [];
    } catch (err) {
      if (classifyPgError(err) !== 'data') throw err;
    }
    return this.bisect(client, partition, entries);
  }

  private async bisect(client: pg.PoolClient, partition: number, entries: BatchEntry[]): Promise<Reject[]> {
    const half = Math.ceil(entries.length / 2);
    const out: Reject[] = [];
    for (const part of [entries.slice(0, half), entries.slice(half)]) {
      if (!part.length) continue;
      try {
        await this.attempt(client, partition, part, true);
      } catch (err) {
        if (classifyPgError(err) !== 'data') throw err;
        if (part.length === 1) {
          const only = part[0]!;
          out.push({ message: { ...only.message, value: JSON.stringify(rowObject(only.line!)) }, reason: 'unloadable', detail: `PostgreSQL refused the row: ${(err as Error).message}` });
        } else {
          out.push(...await this.bisect(client, partition, part));
        }
      }
    }
    return out;
  }

  /** One try under a savepoint, so a refusal undoes only this try. */
  private async attempt(client: pg.PoolClient, partition: number, entries: BatchEntry[], clearStage: boolean): Promise<void> {
    await client.query('SAVEPOINT attempt');
    try {
      const payload = copyPayload(entries.map((e) => e.line!));
      if (this.opts.mode === 'append') {
        await copyInto(client, `COPY ${this.target} (${this.columns}) FROM STDIN`, payload);
      } else if (!(await this.copyDirect(client, partition, payload))) {
        if (clearStage) await client.query(`TRUNCATE ${STAGE}`);
        await copyInto(client, `COPY ${STAGE} (${this.columns}) FROM STDIN`, payload);
        await client.query(this.upsertSql());
      }
      await client.query('RELEASE SAVEPOINT attempt');
    } catch (err) {
      if (classifyPgError(err) === 'data') await client.query('ROLLBACK TO SAVEPOINT attempt');
      throw err;
    }
  }

  /**
   * Upsert's fast path (direct-copy.ts says when it is tried): the rows straight into the table under a savepoint of
   * their own. Every URL new: stored, as the upsert would have stored them (nothing to compare with). A URL already
   * there, or twice in the batch: the unique key refuses it, the savepoint undoes the COPY, and false sends the batch
   * the staged way, which decides by fetched_at. Any other failure is the caller's, as for the staged COPY.
   */
  private async copyDirect(client: pg.PoolClient, partition: number, payload: Buffer): Promise<boolean> {
    if (!this.direct.tryDirect(partition)) return false;
    await client.query('SAVEPOINT direct');
    try {
      await copyInto(client, `COPY ${this.target} (${this.columns}) FROM STDIN`, payload);
    } catch (err) {
      if ((err as { code?: unknown }).code !== UNIQUE_VIOLATION) throw err;
      await client.query('ROLLBACK TO SAVEPOINT direct');
      this.direct.conflicted(partition);
      this.directCopies.conflicted++;
      return false;
    }
    await client.query('RELEASE SAVEPOINT direct');
    this.direct.stored(partition);
    this.directCopies.stored++;
    return true;
  }

  /**
   * One row per URL: within the batch the newest record (by fetched_at, then position) is kept; against the
   * table it replaces the stored row only when it is newer, so partitions arriving in any order end the same.
   * Rows are taken in URL order, so concurrent batches lock the same rows in the same order (no deadlocks).
   */
  private upsertSql(): string {
    const set = COLUMN_NAMES.filter((c) => c !== 'url').map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`).join(', ');
    return `INSERT INTO ${this.target} AS cur (${this.columns})
      SELECT DISTINCT ON (url) ${this.columns} FROM ${STAGE} WHERE url IS NOT NULL
      ORDER BY url, fetched_at DESC, kafka_partition DESC, kafka_offset DESC
      ON CONFLICT (url) DO UPDATE SET ${set}, loaded_at = now()
      WHERE (EXCLUDED.fetched_at, EXCLUDED.kafka_partition, EXCLUDED.kafka_offset) > (cur.fetched_at, cur.kafka_partition, cur.kafka_offset);
      INSERT INTO ${this.target} (${this.columns}) SELECT ${this.columns} FROM ${STAGE} WHERE url IS NULL`;
  }

  /** The staging table lives as long as the connection; created outside any transaction so a rollback keeps it. */
  private async ensureStage(client: pg.PoolClient): Promise<void> {
    if (this.opts.mode === 'append' || this.staged.has(client)) return;
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${STAGE} (LIKE ${this.target} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
    this.staged.add(client);
  }
}

async function copyInto(client: pg.PoolClient, sql: string, payload: Buffer): Promise<void> {
  const stream = client.query(copyStreams.from(sql));
  await pipeline(Readable.from([payload]), stream);
}

/** A row as a JSON object of its columns, as text (what a reject carries when PostgreSQL refused the row). */
function rowObject(line: string): Record<string, unknown> {
  const cells = cellsOfLine(line);
  return Object.fromEntries(COLUMN_NAMES.map((name, i) => [name, cells[i] ?? null]));
}
