import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { testBrokers } from '../../helpers/env.js';
import { createTestTopic, produceRaw } from '../../helpers/kafka.js';
import { hostPartition } from '../../../src/partition/partitioner.js';
import type { AuditReport } from '../../../src/audit/accumulator.js';

const dir = mkdtempSync(join(tmpdir(), 'kscrape-audit-'));

function urlList(): string[] {
  const urls: string[] = [];
  for (let i = 0; i < 200; i++) for (let j = 0; j < 5; j++) urls.push(`https://site-${i}.example/p/${j}`);
  for (let j = 0; j < 1500; j++) urls.push(`https://giant.example/item/${j}`);
  return urls;
}

describe('kscrape partition-audit', () => {
  test('on a URL file (no broker): counts, hot partition with its host, fair comparison, recommendation', async () => {
    const file = join(dir, 'urls.txt');
    writeFileSync(file, `${urlList().join('\n')}\n# comment\nnot-a-url\n`);
    const r = await runCli(['partition-audit', file, '--partitions', '10', '--fair-threshold', '100', '--json', '--brokers', '127.0.0.1:1']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as AuditReport;
    expect(report).toMatchObject({ urls: 2500, hosts: 201, partitions: 10, invalid: 1 });
    const home = hostPartition('giant.example', 10);
    expect(report.host.stats.hot).toContain(home);
    expect(report.host.hot.find((h) => h.partition === home)!.topHosts[0]).toEqual({ host: 'giant.example', count: 1500 });
    expect(report.fair.stats.skew).toBeLessThan(report.host.stats.skew);
    expect(report.recommendation.verdict).toBe('band-hosts');
    expect(report.recommendation.bandHosts[0]!.host).toBe('giant.example');

    // The same from stdin, as people see it: one bar per partition, no colors off a terminal.
    const text = await runCli(['partition-audit', '--partitions', '10'], { input: urlList().join('\n') });
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n').filter((l) => /^ {2}p\d+ /.test(l) && !l.includes('URLs ('))).toHaveLength(10);
    expect(text.stdout).toMatch(/HOT/);
    expect(text.stdout).toMatch(/Recommendation: /);
    expect(text.stdout).not.toContain('\u001b[');
  });

  test('usage errors: conflicting sources, bad numbers', async () => {
    for (const args of [['--sample', '10', '--since', '1h'], ['f.txt', '--sample', '10'], ['--partitions', '0'], ['--fair-bands', 'x'], ['--topic', 'x']]) {
      const r = await runCli(['partition-audit', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  test('on the live urls topic: observed partitions versus host and fair for the same records', async () => {
    const partitions = 6;
    const topic = await createTestTopic('audit-urls', partitions);
    const envelope = (url: string, host: string) => JSON.stringify({ url, host, customer_id: 'c', priority: 0, discovered_at: 0, attempt: 0 });
    // Produced the way kscrape produce would (partition = hostPartition), plus one malformed record.
    const messages = urlList().map((url) => {
      const host = new URL(url).host;
      return { key: host, value: envelope(url, host), partition: hostPartition(host, partitions) };
    });
    messages.push({ key: 'x', value: '{not json', partition: 0 });
    await produceRaw(topic, messages);

    const r = await runCli(['--brokers', testBrokers(), 'partition-audit', '--topic', topic, '--sample', '100000', '--json', '--fair-threshold', '100'], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as AuditReport;
    expect(report.partitions).toBe(partitions);
    expect(report.urls).toBe(2500);
    expect(report.invalid).toBe(1);
    expect(report.observed!.counts).toEqual(report.host.counts);
    expect(report.source).toMatchObject({ kind: 'topic', names: [topic] });

    // --sample bounds what is read: the last 10 of each partition.
    const sampled = JSON.parse((await runCli(['--brokers', testBrokers(), 'partition-audit', '--topic', topic, '--sample', '10', '--json'], { timeoutMs: 60_000 })).stdout) as AuditReport;
    expect(sampled.urls + sampled.invalid).toBe(partitions * 10);
    expect(sampled.observed!.counts.every((c) => c <= 10)).toBe(true);
  });
});
