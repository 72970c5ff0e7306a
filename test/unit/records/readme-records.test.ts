import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { buildUrlEnvelope } from '../../../src/records/url-envelope.js';
import type { UrlEnvelope } from '../../../src/records/index.js';
import type { FetchOutcome } from '../../../src/fetch/types.js';
import { outcomeRecords } from '../../../src/worker/outcomes.js';

/** README's "Records" section: for each topic heading, the field names of its table's first column. */
function readmeFields(): Map<string, Set<string>> {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Records\n'), readme.indexOf('\n## Guarantees\n'));
  const fields = new Map<string, Set<string>>();
  let topic: string | undefined;
  for (const line of section.split('\n')) {
    const heading = /^### `([\w.]+)`/.exec(line);
    if (heading) {
      topic = heading[1]!;
      fields.set(topic, new Set());
      continue;
    }
    const row = /^\| ([^|]+) \|/.exec(line);
    if (!topic || !row || row[1]!.trim() === 'field' || row[1]!.startsWith('---')) continue;
    for (const name of row[1]!.matchAll(/`(\w+)`/g)) fields.get(topic)!.add(name[1]!);
  }
  return fields;
}

const keysOf = (values: Buffer[]) => new Set(values.flatMap((v) => Object.keys(JSON.parse(v.toString()) as object)));

const built = buildUrlEnvelope({
  url: 'http://shop.test/p/1', customerId: 'c', priority: 1, discoveredAt: 1, attempt: 0,
  crawl: { crawlId: 'k', depth: 1, referrer: 'http://shop.test/', seed: 'http://shop.test/', etag: '"e"', lastModified: 'Sun, 06 Dec 2026 00:00:00 GMT' },
}, 2048);
if (!built.ok) throw new Error('the envelope did not build');
const envelope: UrlEnvelope = built.envelope;
const ctx = { topics: { pages: 'pages', errors: 'errors', dlq: 'dlq', metrics: 'metrics' }, worker: 'w', now: 5 };
const page = { kind: 'page', status: 200, finalUrl: envelope.url, elapsedMs: 3, contentType: 'text/html', headers: { a: '1' }, body: Buffer.from('<p>x</p>'), truncated: false, bytes: 8 } as FetchOutcome;
const error: FetchOutcome = { kind: 'error', reason: 'http-status', status: 404, detail: 'HTTP 404', elapsedMs: 2 };
const retryable: FetchOutcome = { kind: 'retryable', status: 503, error: 'HTTP 503', elapsedMs: 2, retryAfterMs: 9_000 };
const records = [
  ...outcomeRecords(envelope, page, ctx, { page: { canonical: envelope.url, crawl_id: 'k', depth: 1 }, noindex: false }),
  ...outcomeRecords(envelope, error, ctx),
  ...outcomeRecords(envelope, retryable, ctx),
];
const valuesFor = (topic: string) => records.filter((r) => r.topic === topic).map((r) => r.value as Buffer);

describe("the README's Records section lists exactly the fields kscrape writes", () => {
  const readme = readmeFields();

  test.each([
    ['urls', () => new Set(Object.keys(envelope))],
    ['pages', () => keysOf(valuesFor('pages'))],
    ['errors', () => keysOf(valuesFor('errors'))],
    ['dlq', () => keysOf(valuesFor('dlq'))],
    ['metrics', () => keysOf(valuesFor('metrics'))],
  ])('%s', (topic, actual) => {
    expect(readme.get(topic)).toBeDefined();
    expect([...readme.get(topic)!].sort()).toEqual([...actual()].sort());
  });

  test('every topic has a heading, extractions pointing to its own section', () => {
    expect([...readme.keys()]).toEqual(['urls', 'pages', 'errors', 'dlq', 'metrics', 'extractions']);
  });
});
