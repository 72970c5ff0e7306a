import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UrlEnvelope } from '../../../src/records/index.js';
import { hostPartition } from '../../../src/partition/partitioner.js';
import { runCli } from '../../helpers/cli.js';
import { testBrokers, testRedisUrl, uniqueName } from '../../helpers/env.js';
import { readBack, withAdmin } from '../../helpers/kafka.js';
import { startCli, urlLines } from '../../helpers/produce.js';

const dir = mkdtempSync(join(tmpdir(), 'kscrape-produce-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh prefix with its urls topic. */
async function urlsTopic(partitions: number): Promise<{ prefix: string; topic: string }> {
  const prefix = `${uniqueName('pr')}.`;
  const topic = `${prefix}urls`;
  await withAdmin((admin) => admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] }));
  return { prefix, topic };
}

const args = (prefix: string, ...rest: string[]) => ['produce', '--brokers', testBrokers(), '--topic-prefix', prefix, '--json', ...rest];
const summaryOf = (stdout: string) => JSON.parse(stdout) as Record<string, unknown> & { delivered: number; rejected: number; failed: number; rejected_by_reason: Record<string, number> };

describe('kscrape produce against the real broker', () => {
  test('round trip of a mixed file: envelopes, keys = host, partitions = hostPartition', async () => {
    const { prefix, topic } = await urlsTopic(6);
    const file = join(dir, 'mixed.txt');
    const plain = urlLines(40, 7, 'mix');
    writeFileSync(file, [
      '# seeds',
      ...plain.slice(0, 20),
      '',
      JSON.stringify({ url: 'https://J.example/one#top', customer_id: 'acme', priority: 5 }),
      JSON.stringify({ url: 'http://j.example:8080/two', customer_id: 'beta', priority: -1, discovered_at: 1234, attempt: 2 }),
      ...plain.slice(20),
    ].join('\n'));
    const before = Date.now();
    const r = await runCli(args(prefix, file, '--customer', 'dflt', '--priority', '2'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = summaryOf(r.stdout);
    expect(summary).toMatchObject({ topic, delivered: 42, rejected: 0, failed: 0, lines: 42, fallback_file: null });

    const messages = await readBack(topic, 42);
    expect(messages).toHaveLength(42);
    const byUrl = new Map<string, UrlEnvelope>();
    for (const m of messages) {
      const e = JSON.parse(m.value!) as UrlEnvelope;
      expect(m.key).toBe(e.host);
      expect(m.partition).toBe(hostPartition(e.host, 6));
      expect(Object.keys(e).sort()).toEqual(['attempt', 'customer_id', 'discovered_at', 'host', 'priority', 'url']);
      byUrl.set(e.url, e);
    }
    expect(new Set(byUrl.keys())).toEqual(new Set([...plain, 'https://j.example/one', 'http://j.example:8080/two']));
    const first = byUrl.get(plain[0]!)!;
    expect(first).toMatchObject({ customer_id: 'dflt', priority: 2, attempt: 0, host: 'h0.mix.example' });
    expect(first.discovered_at).toBeGreaterThanOrEqual(before);
    expect(byUrl.get('https://j.example/one')).toMatchObject({ host: 'j.example', customer_id: 'acme', priority: 5, attempt: 0 });
    expect(byUrl.get('http://j.example:8080/two')).toEqual({
      url: 'http://j.example:8080/two', host: 'j.example:8080', customer_id: 'beta', priority: -1, discovered_at: 1234, attempt: 2,
    });
  });

  test('bad lines never stop the run; each is counted by reason and written to the rejects file', async () => {
    const { prefix, topic } = await urlsTopic(3);
    const file = join(dir, 'bad.txt');
    const rejectsFile = join(dir, 'bad.rejects.jsonl');
    const lines: (string | Buffer)[] = [
      Buffer.from([0xef, 0xbb, 0xbf]), 'https://bom.example/first\r\n', // BOM, then a CRLF line: both fine
      'https://crlf.example/a\r\n',
      Buffer.from([0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f, 0xff, 0xfe, 0x00, 0x0a]), // garbage bytes
      `https://long.example/${'a'.repeat(10_000)}\n`,
      'javascript:alert(1)\n',
      'file:///etc/passwd\n',
      'http:///nohost\n',
      'https://spaces.example/a b\n',
      'https://münchen.example/straße\n',
      '{"url": "https://json.example/", "priority": "high"}\n',
      '{not json\n',
    ];
    writeFileSync(file, Buffer.concat(lines.map((l) => (typeof l === 'string' ? Buffer.from(l) : l))));
    const r = await runCli(args(prefix, file, '--rejects', rejectsFile));
    expect(r.code).toBe(0);
    const summary = summaryOf(r.stdout);
    expect(summary).toMatchObject({ lines: 11, delivered: 3, rejected: 8, failed: 0 });
    expect(summary.rejected_by_reason).toEqual({
      'invalid-characters': 1, 'too-long': 1, 'unsupported-scheme': 2, 'no-host': 1, whitespace: 1, 'bad-field': 1, 'bad-json': 1,
    });
    const rejects = readFileSync(rejectsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; reason: string; input: string; source: string });
    expect(rejects.map((x) => [x.line, x.reason])).toEqual([
      [3, 'invalid-characters'], [4, 'too-long'], [5, 'unsupported-scheme'], [6, 'unsupported-scheme'], [7, 'no-host'],
      [8, 'whitespace'], [10, 'bad-field'], [11, 'bad-json'],
    ]);
    expect(rejects.every((x) => x.source === file)).toBe(true);
    expect(rejects[4]!.input).toBe('http:///nohost');
    const urls = (await readBack(topic, 3)).map((m) => (JSON.parse(m.value!) as UrlEnvelope).url).sort();
    expect(urls).toEqual(['https://bom.example/first', 'https://crlf.example/a', 'https://xn--mnchen-3ya.example/stra%C3%9Fe']);
  });

  test('stdin input (nothing or -), summary on stderr when not --json', async () => {
    const { prefix, topic } = await urlsTopic(2);
    const input = `${urlLines(25, 5, 'stdin').join('\n')}\n`;
    const r = await runCli(['produce', '--brokers', testBrokers(), '--topic-prefix', prefix], { input });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^25 URLs delivered to .*urls in .*, 2\/2 partitions used\nrejected 0, failed 0\n$/);
    const again = await runCli(['produce', '-', '--brokers', testBrokers(), '--topic-prefix', prefix, '--json'], { input });
    expect(summaryOf(again.stdout).delivered).toBe(25);
    expect(await readBack(topic, 50)).toHaveLength(50);
  });

  test('--dedupe skips URLs produced within the TTL, across runs, using the real Redis', async () => {
    const { prefix, topic } = await urlsTopic(2);
    const file = join(dir, 'dedupe.txt');
    const urls = urlLines(30, 4, 'dd');
    writeFileSync(file, [...urls, urls[0], urls[1]].join('\n'));
    const redis = ['--redis', testRedisUrl(), '--dedupe', '10m'];
    const first = summaryOf((await runCli(args(prefix, file, ...redis))).stdout);
    expect(first).toMatchObject({ delivered: 30, duplicates_skipped: 2, failed: 0 });
    const second = await runCli(args(prefix, file, ...redis));
    expect(second.code).toBe(0);
    expect(summaryOf(second.stdout)).toMatchObject({ delivered: 0, duplicates_skipped: 32 });
    // Another topic (prefix) has its own keys.
    const other = await urlsTopic(1);
    expect(summaryOf((await runCli(args(other.prefix, file, ...redis))).stdout)).toMatchObject({ delivered: 30 });
    expect(await readBack(topic, 31, 8_000)).toHaveLength(30);
  });

  test('--dedupe without Redis and a missing topic are one clear line each', async () => {
    const noRedis = await runCli(['produce', '--brokers', testBrokers(), '--dedupe'], { input: 'https://a.example/\n' });
    expect(noRedis.code).toBe(2);
    expect(noRedis.stderr).toBe('kscrape: --dedupe needs Redis: pass --redis redis://host:6379 or set KSCRAPE_REDIS_URL\n');
    // The topic missing is the environment's failure, not a flag: the piped input is saved (see the next test).
    const saved = join(dir, 'missing-topic.jsonl');
    const missing = await runCli(['produce', '--brokers', testBrokers(), '--topic-prefix', `${uniqueName('none')}.`, '--fallback', saved], { input: 'https://a.example/\n' });
    expect(missing.code).toBe(1);
    const lines = missing.stderr.trim().split('\n');
    expect(lines[0]).toBe(`kscrape: warning: produce could not start: saving its input to ${saved} (read to its end; Ctrl-C stops)`);
    expect(lines.slice(1)).toEqual([expect.stringMatching(/^kscrape: topic '.*urls' does not exist; create it with: kscrape topics create.*; the 1 URLs of the input are in /)]);
    expect(readFileSync(saved, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as UrlEnvelope).url)).toEqual(['https://a.example/']);
  });

  test('a broker unreachable at the start: the piped input is validated into the fallback file, said in the one failure line, and replays', async () => {
    const saved = join(dir, 'unreachable.jsonl');
    const rejects = join(dir, 'unreachable-rejects.jsonl');
    const input = `${urlLines(50, 5, 'unr').join('\n')}\nnot a url\n# a comment\n`;
    const r = await runCli(['--brokers', '127.0.0.1:1', 'produce', '-', '--customer', 'acme', '--fallback', saved, '--rejects', rejects], { input, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^kscrape: cannot reach Kafka at 127\.0\.0\.1:1 within \d+ s/);
    expect(lines[1]).toContain(`; the 50 URLs of the input are in ${saved} (send them with: kscrape produce ${saved}); 1 lines refused`);
    const envelopes = readFileSync(saved, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as UrlEnvelope);
    expect(envelopes.map((e) => e.url)).toEqual(urlLines(50, 5, 'unr'));
    expect(new Set(envelopes.map((e) => e.customer_id))).toEqual(new Set(['acme']));
    expect(readFileSync(rejects, 'utf8').trim().split('\n')).toHaveLength(1);
    // The file is a fallback file like any other: the next run sends it, customer and all.
    const { prefix, topic } = await urlsTopic(2);
    const replay = await runCli(['produce', saved, '--brokers', testBrokers(), '--topic-prefix', prefix, '--json', '--fallback', join(dir, 'unreachable-again.jsonl')], { timeoutMs: 60_000 });
    expect({ code: replay.code, stderr: replay.stderr }).toMatchObject({ code: 0 });
    expect(JSON.parse(replay.stdout)).toMatchObject({ delivered: 50, failed: 0, rejected: 0 });
    const delivered = (await readBack(topic, 51, 8_000)).map((m) => JSON.parse(m.value!) as UrlEnvelope);
    expect(delivered.map((e) => e.url).sort()).toEqual([...urlLines(50, 5, 'unr')].sort());
    expect(new Set(delivered.map((e) => e.customer_id))).toEqual(new Set(['acme']));
  }, 120_000);

  test('SIGINT: stops reading, delivers what was read, exits 130 with a summary', async () => {
    const { prefix } = await urlsTopic(2);
    const cli = startCli(['produce', '--brokers', testBrokers(), '--topic-prefix', prefix, '--json'], {}, dir);
    await cli.write(`${urlLines(10, 3, 'sig').join('\n')}\n`);
    // Wait until the ten are delivered, then interrupt while stdin is still open.
    const deadline = Date.now() + 20_000;
    let offsets = 0;
    while (offsets < 10 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      offsets = await withAdmin(async (admin) => (await admin.fetchTopicOffsets(`${prefix}urls`)).reduce((n, p) => n + Number(p.high), 0));
    }
    cli.child.kill('SIGINT');
    const r = await cli.done;
    expect(r.code).toBe(130);
    expect(JSON.parse(r.stdout)).toMatchObject({ delivered: 10, failed: 0, stopped_by: 'SIGINT' });
  });
});
