import { afterEach, describe, expect, test } from '@jest/globals';
import { clearRegisteredSecrets, redactConfig, redactDsn, redactUrl, registerConfigSecrets, scrubSecrets } from '../../src/redact.js';
import { createLogger } from '../../src/log.js';

afterEach(() => clearRegisteredSecrets());

describe('redaction', () => {
  test('redactConfig masks secret-named keys and keeps the rest', () => {
    expect(redactConfig({
      'sasl.password': 'pw', 'ssl.key.password': 'kp', 'sasl.oauthbearer.client.secret': 'cs', 'ssl.key.pem': '---',
      'sasl.jaas.config': 'x', 'sasl.username': 'user', 'ssl.key.location': '/k.pem', 'linger.ms': 10, 'sasl.password.empty': '',
    })).toEqual({
      'sasl.password': '[redacted]', 'ssl.key.password': '[redacted]', 'sasl.oauthbearer.client.secret': '[redacted]',
      'ssl.key.pem': '[redacted]', 'sasl.jaas.config': '[redacted]', 'sasl.username': 'user', 'ssl.key.location': '/k.pem',
      'linger.ms': 10, 'sasl.password.empty': '',
    });
  });

  test('registered secret values are scrubbed from any text, including JAAS-embedded passwords', () => {
    registerConfigSecrets({ 'sasl.password': 'hunter2hunter2', 'sasl.jaas.config': 'X required username="u" password="jaaspw99";' });
    expect(scrubSecrets('auth failed for hunter2hunter2 and jaaspw99')).toBe('auth failed for [redacted] and [redacted]');
  });

  test('URL passwords are masked even when never registered', () => {
    expect(redactUrl('redis://user:pa55word@10.0.0.1:6379/0')).toBe('redis://user:[redacted]@10.0.0.1:6379/0');
    expect(scrubSecrets('connect redis://:pw123456@host:1 failed')).toBe('connect redis://:[redacted]@host:1 failed');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
  });

  test('the logger scrubs every line it writes', () => {
    registerConfigSecrets({ 'sasl.password': 'topsecret-value' });
    const lines: string[] = [];
    const log = createLogger({ level: 'verbose', write: (l) => lines.push(l) });
    log.error('bad password topsecret-value');
    log.debug('dump {"sasl.password":"topsecret-value"}');
    expect(lines.join('')).not.toContain('topsecret-value');
    expect(lines).toHaveLength(2);
  });

  test('PostgreSQL DSNs: the password is masked in URL and keyword form, nothing else', () => {
    expect(redactDsn('postgres://app:s3cr%40t@127.0.0.1:5432/db?sslmode=disable')).toBe('postgres://app:[redacted]@127.0.0.1:5432/db?sslmode=disable');
    expect(redactDsn('postgresql://127.0.0.1/db')).toBe('postgresql://127.0.0.1/db');
    expect(redactDsn("host=127.0.0.1 user=app password=pw123 dbname=x")).toBe('host=127.0.0.1 user=app password=[redacted] dbname=x');
    expect(redactDsn("host=h password='p w\\'x' port=1")).toBe('host=h password=[redacted] port=1');
  });
});
