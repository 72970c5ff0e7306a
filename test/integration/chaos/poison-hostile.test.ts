/**
 * Chaos 5: poison in the urls topic (raw bytes, wrong JSON, an empty value, values near the topic's size limit)
 * and hostile targets (a body that never ends, headers trickled a byte at a time, a redirect to an address the
 * guard refuses, a gzip bomb). The worker keeps going and every message gets its outcome.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { auditPipeline, formatAudit, readTopicRecords } from '../../helpers/audit.js';
import { testBrokers, uniqueName } from '../../helpers/env.js';
import { produceRaw } from '../../helpers/kafka.js';
import { DELIVERY_MODES, createPipeline, produceUrls, scale, startKscrape, stopKscrape, type KscrapeProcess } from '../../helpers/chaos.js';
import { startTargetProcess, type TargetProcess } from '../../helpers/http-targets.js';

const ADDRESSES = ['127.0.5.1', '127.0.5.2', '127.0.5.3', '127.0.5.4', '127.0.5.5'];
const PATHS = ['/p', '/endless', '/slowloris', '/escape', '/bomb'];
let targets: TargetProcess;
const processes: KscrapeProcess[] = [];

beforeAll(async () => {
  targets = await startTargetProcess(ADDRESSES, {
    '/p': {},
    '/endless': { kind: 'endless' },
    '/slowloris': { kind: 'slowloris' },
    // Loopback outside the allowed block: refused by the guard before any connection.
    '/escape': { kind: 'redirect', location: 'http://127.0.0.1:9/admin' },
    '/bomb': { kind: 'gzip-bomb' },
  }, { bombMib: 256 });
});
afterAll(async () => {
  for (const p of processes) await stopKscrape(p, 'SIGKILL');
  await targets.close();
});

describe.each(DELIVERY_MODES)('chaos: poison messages and hostile targets ($name)', ({ name, mode, flags }) => {
  test('the worker keeps going and every message ends with the outcome it should', async () => {
    const pipeline = await createPipeline(testBrokers(), 2);
    const each = scale(2, 20);
    // Each hostile kind on an address of its own, so that a slow one does not hold the others' host queue.
    const urls = PATHS.flatMap((path, i) => Array.from({ length: each }, (_, n) => `${targets.origins[i]}${path}?n=${n}`));
    await produceUrls(pipeline, urls);
    const urlsTopic = `${pipeline.prefix}urls`;
    const huge = 990_000; // librdkafka's default message.max.bytes is 1 000 000
    const hugeValid = `${targets.origins[0]}/p?huge=1`;
    const poison: { key: string; value: string }[] = [
      { key: 'poison-bytes', value: Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28]).toString('latin1') },
      { key: 'poison-not-json', value: 'this is { not json' },
      { key: 'poison-array', value: '["http://example.com/"]' },
      { key: 'poison-no-url', value: '{"href":"http://127.0.5.1/"}' },
      { key: 'poison-url-number', value: '{"url":42}' },
      { key: 'poison-scheme', value: '{"url":"file:///etc/passwd"}' },
      { key: 'poison-empty', value: '' },
      { key: 'poison-huge', value: `{"url": "${'x'.repeat(huge - 20)}` },
      // A valid envelope padded close to the limit: a page, not poison.
      { key: hugeValid, value: JSON.stringify({ url: hugeValid, pad: 'y'.repeat(huge - 200) }) },
    ];
    await produceRaw(urlsTopic, poison);
    const total = urls.length + poison.length;

    const worker = startKscrape(['work', '--group', uniqueName('g'), '--allow-cidr', '127.0.5.0/24', '--host-delay', '10ms',
      '--timeout', '3s', '--max-page-bytes', '256KiB', '--max-messages', String(total), '--json', '--status-interval', '2s', ...flags('poison-chaos')], pipeline.env);
    processes.push(worker);
    const end = await worker.exited;
    if (end.code !== 0) process.stderr.write(worker.lines.map((l) => l.text).join('\n'));
    expect(end).toEqual({ code: 0, signal: null });
    const summary = JSON.parse(worker.stdout().trim().split('\n').pop()!) as Record<string, number>;
    expect(summary).toMatchObject({ consumed: total, malformed: poison.length - 1 });

    const expected = [...urls, hugeValid, ...poison.slice(0, -1).map((p) => `raw-key:${p.key}`)];
    const report = await auditPipeline({ brokers: testBrokers(), prefix: pipeline.prefix, expected, mode });
    process.stderr.write(`${formatAudit(`poison + hostile targets (${name})`, report)}\n`);
    expect(report.lost).toEqual([]);
    expect(report.duplicates).toBe(0);

    // Where each kind ended.
    const where = new Map<string, string>();
    for (const [topic, place] of [['pages', 'pages'], ['errors', 'errors'], ['dlq', 'dlq']] as const) {
      for (const r of await readTopicRecords(testBrokers(), `${pipeline.prefix}${topic}`)) {
        const v = JSON.parse(r.value!) as { url?: string | null; reason?: string; truncated?: boolean; bytes?: number; original?: { url: string } };
        const url = v.url ?? v.original?.url ?? `raw-key:${r.key}`;
        where.set(url, place === 'errors' ? `errors/${v.reason}` : place === 'pages' ? `pages${v.truncated ? '/truncated' : ''}` : 'dlq');
      }
    }
    const kinds = (path: string) => [...new Set(urls.filter((u) => u.includes(`${path}?`)).map((u) => where.get(u)))];
    expect(kinds('/p')).toEqual(['pages']);
    expect(kinds('/endless')).toEqual(['pages/truncated']);
    expect(kinds('/slowloris')).toEqual(['dlq']);
    expect(kinds('/escape')).toEqual(['errors/blocked-address']);
    expect(kinds('/bomb')).toEqual(['pages/truncated']);
    expect(where.get(hugeValid)).toBe('pages');
    for (const p of poison.slice(0, -1)) expect([p.key, where.get(`raw-key:${p.key}`)]).toEqual([p.key, 'errors/malformed']);
  }, scale(240_000, 1_800_000));
});
