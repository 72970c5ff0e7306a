/**
 * PostgreSQL for tests: a database of the test's own on the shared server (KSCRAPE_TEST_PG_DSN, created and
 * dropped by the test), or a private throwaway server (initdb + pg_ctl in a temp dir, on a free loopback port)
 * for tests that restart PostgreSQL. Never restarts the shared server.
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../scripts/stack/ports.js';

const run = promisify(execFile);

export function testPgDsn(): string {
  return process.env.KSCRAPE_TEST_PG_DSN ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export interface TestDatabase {
  name: string;
  dsn: string;
  /** A query on the test database (one short connection). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

/** The DSN with another database name. */
export function dsnFor(serverDsn: string, database: string): string {
  const url = new URL(serverDsn);
  url.pathname = `/${database}`;
  return url.toString();
}

async function adminQuery(serverDsn: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverDsn });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates `kst_<prefix>_<random>` on the server (the shared one by default). */
export async function createTestDatabase(prefix = 'sink', serverDsn = testPgDsn()): Promise<TestDatabase> {
  const name = `kst_${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(serverDsn, `CREATE DATABASE ${name}`);
  const dsn = dsnFor(serverDsn, name);
  return {
    name, dsn,
    async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      const client = new pg.Client({ connectionString: dsn });
      await client.connect();
      try {
        return (await client.query<R>(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    drop: () => adminQuery(serverDsn, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

export interface PrivatePostgres {
  /** DSN of its `postgres` database. */
  dsn: string;
  port: number;
  /** Fast shutdown (`pg_ctl stop -m immediate` with `crash`: like a power cut). */
  stop(how?: 'fast' | 'crash'): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its data directory. */
  destroy(): Promise<void>;
}

const BIN = process.env.KSCRAPE_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** PostgreSQL refuses to run as root: then its tools run as the `postgres` user. */
async function asPgUser(tool: string, args: string[]): Promise<void> {
  const command = join(BIN, tool);
  if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', command, ...args], { timeout: 60_000 });
  else await run(command, args, { timeout: 60_000 });
}

/** A throwaway server on 127.0.0.1 and a free port, trust auth, restartable on the same port. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'kscrape-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  chmodSync(dir, 0o700);
  const port = await freePort();
  await asPgUser('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c max_connections=40`;
  const start = () => asPgUser('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '30', 'start']);
  const stop = (how: 'fast' | 'crash' = 'fast') => asPgUser('pg_ctl', ['-D', data, '-m', how === 'crash' ? 'immediate' : 'fast', '-w', '-t', '30', 'stop']);
  await start();
  return {
    dsn: `postgres://postgres@127.0.0.1:${port}/postgres`, port, start, stop,
    destroy: async () => {
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
