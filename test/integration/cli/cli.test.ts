import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { testBrokers } from '../../helpers/env.js';

const dir = mkdtempSync(join(tmpdir(), 'kscrape-cli-'));

describe('kscrape CLI basics', () => {
  test('--help lists the global options and commands, exit 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--brokers', '--property', '--client-config', '--topic-prefix', '--redis', '--json', '--quiet', '--verbose']) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toMatch(/check/);
    expect(r.stderr).toBe('');
  });

  test('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('a usage mistake is one line on stderr, exit 2, no stack', async () => {
    for (const args of [['config', '--bogus'], ['config', '-X', 'novalue'], ['nosuchcommand'], ['topics', 'list', '--timeout', 'soon']]) {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^kscrape: /);
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    }
  });

  test('precedence through the real binary: flag > env > file > default', async () => {
    const file = join(dir, 'p.properties');
    writeFileSync(file, 'bootstrap.servers=file:1\nlinger.ms=40\n');
    const show = async (args: string[], env: Record<string, string> = {}) =>
      JSON.parse((await runCli(['config', '--json', ...args], { env })).stdout) as Record<string, unknown>;
    expect((await show([]))['bootstrap.servers']).toBe('127.0.0.1:9092');
    expect((await show(['--client-config', file]))['bootstrap.servers']).toBe('file:1');
    expect((await show(['--client-config', file], { KSCRAPE_BROKERS: 'env:1' }))['bootstrap.servers']).toBe('env:1');
    expect((await show(['--client-config', file, '--brokers', 'flag:1'], { KSCRAPE_BROKERS: 'env:1' }))['bootstrap.servers']).toBe('flag:1');
    // Global options may come after the command name too.
    expect((await show(['-X', 'linger.ms=3', '--client-config', file]))['linger.ms']).toBe('3');
  });
});

describe('secrets never reach any output', () => {
  const password = 'Pw-9f8e7d6c5b4a';
  const jaasPassword = 'Jaas-1a2b3c4d5e6f';

  test('config dumps, --verbose debug lines and -X values are redacted', async () => {
    const file = join(dir, 'ccloud.properties');
    writeFileSync(file, [
      'bootstrap.servers=127.0.0.1:9',
      'security.protocol=SASL_PLAINTEXT',
      'sasl.mechanism=PLAIN',
      `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="KEY" password="${jaasPassword}";`,
    ].join('\n'));
    for (const args of [
      ['config', '--client-config', file, '--verbose'],
      ['config', '--json', '-X', `sasl.password=${password}`, '--verbose'],
      ['config', '--client-config', file, '-X', `ssl.key.password=${password}`, '--role', 'consumer'],
    ]) {
      const r = await runCli(args);
      expect(r.code).toBe(0);
      const all = r.stdout + r.stderr;
      expect(all).toContain('[redacted]');
      expect(all).not.toContain(password);
      expect(all).not.toContain(jaasPassword);
    }
  });

  test('a failed connection with SASL credentials, in --verbose, leaks neither password', async () => {
    // SASL against the PLAINTEXT test broker fails; librdkafka and our error path both get a chance to echo secrets.
    const r = await runCli(['check', '--verbose', '--timeout', '3s', '--brokers', testBrokers(),
      '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN', '-X', 'sasl.username=KEY', '-X', `sasl.password=${password}`,
      '--redis', `redis://user:${password}@127.0.0.1:1`], { timeoutMs: 30_000 });
    expect(r.code).toBe(2); // check: CRITICAL
    expect(r.stderr).toMatch(/cannot reach Kafka/);
    expect(r.stderr).toMatch(/debug: /);
    expect(r.stdout + r.stderr).not.toContain(password);
  });

  test('a bad --redis URL is reported without its password', async () => {
    const r = await runCli(['check', '--redis', `redis://u:${password}@bad host`]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain(password);
  });
});

describe('kscrape check', () => {
  test('reports a reachable broker and exits 0', async () => {
    const r = await runCli(['check', '--json', '--brokers', testBrokers()]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { status: string; kafka: { bootstrap: string; brokers: { address: string; answered: boolean }[] } };
    expect(report.status).toBe('OK');
    expect(report.kafka.bootstrap).toBe(testBrokers());
    expect(report.kafka.brokers.map((b) => [b.address, b.answered])).toEqual([[testBrokers(), true]]);
  });

  test('exits 2 (CRITICAL) with one line on stderr when nothing answers', async () => {
    const r = await runCli(['check', '--brokers', '127.0.0.1:1', '--timeout', '2s']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot reach Kafka at 127\.0\.0\.1:1 within 2 s/);
    expect(r.stdout).toMatch(/^cluster CRITICAL: cannot reach Kafka/);
  });

  test('a usage error exits 3 (UNKNOWN), as for lag', async () => {
    const r = await runCli(['check', '--timeout', 'soon']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('a bootstrap address with a bad port (issue #18, 6)', () => {
  test('--brokers localhost:36543x is a usage error: exit 2, one line, nothing sent', async () => {
    const r = await runCli(['--brokers', 'localhost:36543x', 'check', '--timeout', '2s']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining("--brokers: 'localhost:36543x' has a bad port '36543x'")]);
    expect(r.stdout).toBe('');
  });
});

describe('--json failures are JSON on stdout too (issue #18, 8)', () => {

  test('check --json with nothing answering: its own report, CRITICAL, naming what failed', async () => {
    const r = await runCli(['check', '--json', '--brokers', '127.0.0.1:1', '--timeout', '2s']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { status: string; exit_code: number; kafka: { error: string } };
    expect(out).toMatchObject({ status: 'CRITICAL', exit_code: 2 });
    expect(out.kafka.error).toMatch(/cannot reach Kafka at 127\.0\.0\.1:1/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('produce --json with the broker unreachable, and a usage error with --json', async () => {
    const saved = join(mkdtempSync(join(tmpdir(), 'kscrape-cli-')), 'unsent.jsonl');
    const produce = await runCli(['--brokers', '127.0.0.1:1', 'produce', '--json', '-', '--fallback', saved], { input: 'https://a.example/\n', timeoutMs: 60_000 });
    expect(produce.code).toBe(1);
    expect(JSON.parse(produce.stdout)).toMatchObject({ ok: false, command: 'produce', exit_code: 1, error: { message: expect.stringContaining(`the 1 URLs of the input are in ${saved}`) } });
    const usage = await runCli(['topics', 'list', '--json', '--bogus']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ ok: false, command: 'topics', error: { code: 'usage' }, exit_code: 2, exit_meaning: expect.stringMatching(/^usage/) });
  });

  test('lag --json with the cluster unreachable: an UNKNOWN report with no groups', async () => {
    const r = await runCli(['--brokers', '127.0.0.1:1', 'lag', '--group', 'g', '--json', '--timeout', '2s']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'UNKNOWN', exit_code: 3, groups: [] });
  });
});
