import { describe, expect, test } from '@jest/globals';
import { EnvelopeEncoder } from '../../../src/records/index.js';
import { ProduceStats } from '../../../src/produce/produce-stats.js';
import { produceReport } from '../../../src/produce/report.js';
import type { ProduceResult } from '../../../src/produce/run-produce.js';

function result(stats: ProduceStats, extra: Partial<ProduceResult> = {}): ProduceResult {
  return { stats, topic: 'urls', partitionCount: 4, fallbackFile: undefined, rejectsFile: undefined, stoppedBy: undefined, unread: undefined, transactions: { committed: 1, aborted: 0, abortsUnconfirmed: 0, urlsInDoubt: 0 }, ...extra };
}

describe('produce report', () => {
  test('exit 0 when every valid URL was delivered (rejects and duplicates do not fail the run)', () => {
    const s = new ProduceStats(0);
    s.lines = 4;
    s.deliver(1); s.deliver(3); s.reject('whitespace'); s.duplicates = 1;
    expect(s.accounted()).toBe(true);
    const r = produceReport(result(s), { json: true, dedupe: true, quiet: false });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ delivered: 2, rejected: 1, rejected_by_reason: { whitespace: 1 }, duplicates_skipped: 1, partitions_used: 2 });
    expect(r.stderr).toBe('');
  });

  test('a failed URL exits 1 and names the fallback file; a signal exits 128+n', () => {
    const s = new ProduceStats(0);
    s.lines = 2;
    s.deliver(0); s.fail('ERR__MSG_TIMED_OUT');
    const r = produceReport(result(s, { fallbackFile: '/tmp/f.jsonl' }), { json: false, dedupe: false, quiet: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/failed 1 \(ERR__MSG_TIMED_OUT 1\)/);
    expect(r.stderr).toContain('replay: kscrape produce /tmp/f.jsonl');
    expect(produceReport(result(s, { stoppedBy: 'SIGTERM' }), { json: false, dedupe: false, quiet: false }).exitCode).toBe(143);
    expect(produceReport(result(s, { fallbackFile: '/tmp/f.jsonl' }), { json: false, dedupe: false, quiet: true }).stderr)
      .toBe('kscrape: 1 URLs not delivered; they are in /tmp/f.jsonl\n');
  });

  test('a run whose counts do not add up is not a success', () => {
    const s = new ProduceStats(0);
    s.lines = 2;
    s.deliver(0);
    expect(s.accounted()).toBe(false);
    expect(produceReport(result(s), { json: true, dedupe: false, quiet: false }).exitCode).toBe(1);
  });
});

describe('hot-path helpers', () => {
  test('EnvelopeEncoder: the JSON bytes of the envelope, multi-byte characters included, buffer reused', () => {
    const enc = new EnvelopeEncoder();
    const e = { url: 'https://a.example/', host: 'a.example', customer_id: 'Zürich-客户', priority: 1, discovered_at: 5, attempt: 0 };
    expect(enc.encode(e).toString()).toBe(JSON.stringify(e));
    const big = { ...e, url: `https://a.example/${'x'.repeat(40_000)}` };
    expect(enc.encode(big).toString()).toBe(JSON.stringify(big));
  });
});
