import { afterEach, describe, expect, test } from '@jest/globals';
import { resolveDsn } from '../../../src/sink/dsn.js';
import { clearRegisteredSecrets, scrubSecrets } from '../../../src/redact.js';

afterEach(() => clearRegisteredSecrets());

describe('resolveDsn', () => {
  test('--dsn wins over KSCRAPE_PG_DSN; the password is masked and registered as a secret', () => {
    const d = resolveDsn('postgres://app:pa%24%24word9@127.0.0.1:5432/crawl', { KSCRAPE_PG_DSN: 'postgres://other@127.0.0.1/x' });
    expect(d.connectionString).toBe('postgres://app:pa%24%24word9@127.0.0.1:5432/crawl');
    expect(d.display).toBe('postgres://app:[redacted]@127.0.0.1:5432/crawl');
    expect(scrubSecrets('auth failed for pa$$word9')).toBe('auth failed for [redacted]');
  });

  test('without --dsn: KSCRAPE_PG_DSN, else the PG* variables (PGPASSWORD registered)', () => {
    expect(resolveDsn(undefined, { KSCRAPE_PG_DSN: 'postgresql://u@127.0.0.1/db' }).connectionString).toBe('postgresql://u@127.0.0.1/db');
    const fromPg = resolveDsn(undefined, { PGHOST: '127.0.0.1', PGUSER: 'crawler', PGPASSWORD: 'pgpass-secret' });
    expect(fromPg.connectionString).toBeUndefined();
    expect(fromPg.display).toContain('crawler@127.0.0.1:5432');
    expect(scrubSecrets('pgpass-secret')).toBe('[redacted]');
  });

  test('a keyword DSN is refused in one line without its password', () => {
    expect(() => resolveDsn('host=h password=hunter22', {})).toThrow(/not a postgres:\/\/ URL/);
    try { resolveDsn('host=h password=hunter22', {}); } catch (err) { expect((err as Error).message).not.toContain('hunter22'); }
  });
});
