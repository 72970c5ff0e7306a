/**
 * Where the sink's database is: `--dsn`, else `KSCRAPE_PG_DSN`, else node-postgres's own `PG*` variables
 * (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE). The password is registered as a secret at once, so no log
 * line or error message can show it (src/redact.ts).
 */
import { parse } from 'pg-connection-string';
import { UserError } from '../errors.js';
import { redactDsn, registerSecret } from '../redact.js';

export interface ResolvedDsn {
  /** undefined: node-postgres reads the PG* variables. */
  connectionString: string | undefined;
  /** For log lines: the password masked. */
  display: string;
}

export function resolveDsn(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): ResolvedDsn {
  registerSecret(env.PGPASSWORD);
  const dsn = flag ?? env.KSCRAPE_PG_DSN;
  if (dsn === undefined || dsn === '') {
    const display = `postgres://${env.PGUSER ?? ''}${env.PGUSER ? '@' : ''}${env.PGHOST ?? 'localhost'}:${env.PGPORT ?? 5432}/${env.PGDATABASE ?? env.PGUSER ?? ''} (from PG* variables)`;
    return { connectionString: undefined, display };
  }
  if (!/^postgres(ql)?:\/\//i.test(dsn)) {
    throw new UserError(`--dsn: '${redactDsn(dsn)}' is not a postgres:// URL (example: postgres://user@127.0.0.1:5432/crawl)`, 'usage.bad-dsn');
  }
  let password: string | undefined;
  try {
    password = parse(dsn).password ?? undefined;
  } catch {
    throw new UserError(`--dsn: '${redactDsn(dsn)}' is not a valid connection URL`, 'usage.bad-dsn');
  }
  registerSecret(password);
  registerSecret(password === undefined ? undefined : encodeURIComponent(password));
  return { connectionString: dsn, display: redactDsn(dsn) };
}
