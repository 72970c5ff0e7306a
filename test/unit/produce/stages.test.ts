import { describe, expect, test } from '@jest/globals';
import { SendRefused, type BulkProducer, type TxnOutcome } from '../../../src/kafka/bulk-producer.js';
import { createLogger } from '../../../src/log.js';
import { DedupeClaims } from '../../../src/produce/dedupe-claims.js';
import type { RedisDeduper } from '../../../src/produce/dedupe.js';
import { EnvelopeSender } from '../../../src/produce/envelope-sender.js';
import { COMMIT_UNKNOWN, ProduceTransactions } from '../../../src/produce/produce-transactions.js';
import type { JsonLinesFile } from '../../../src/produce/json-lines-file.js';
import { LineIntake } from '../../../src/produce/line-intake.js';
import { ProduceStats } from '../../../src/produce/produce-stats.js';
import type { UrlEnvelope } from '../../../src/records/index.js';

/** A JsonLinesFile that keeps what was written. */
const memoryFile = () => {
  const records: unknown[] = [];
  return { records, file: { write: async (r: unknown) => { records.push(r); } } as unknown as JsonLinesFile };
};
const env = (url: string): UrlEnvelope => ({ url, host: new URL(url).host, customer_id: 'c', priority: 0, discovered_at: 1, attempt: 0 });

describe('LineIntake', () => {
  test('skips blanks and comments, counts and writes rejects with source and line, numbers lines per source', async () => {
    const stats = new ProduceStats();
    const rejects = memoryFile();
    const intake = new LineIntake({ format: 'auto', now: 7, stats, rejects: rejects.file, defaults: { customerId: 'c', priority: 1, maxUrlLength: 4096 } });
    intake.startSource('a.txt');
    const got = await intake.envelopesOf(['https://A.example/x', '', '# note', 'ftp://b/', { overlong: true, bytes: 70_000, prefix: 'https://c/' }]);
    expect(got).toEqual([{ url: 'https://a.example/x', host: 'a.example', customer_id: 'c', priority: 1, discovered_at: 7, attempt: 0 }]);
    expect(stats.lines).toBe(3);
    expect(stats.rejected).toBe(2);
    expect(rejects.records).toEqual([
      { source: 'a.txt', line: 4, reason: 'unsupported-scheme', detail: expect.any(String), input: 'ftp://b/' },
      { source: 'a.txt', line: 5, reason: 'too-long', detail: 'line of 70000 bytes', input: 'https://c/' },
    ]);
    expect(intake.lineNo).toBe(5);
    intake.startSource('b.txt');
    expect(intake.lineNo).toBe(0);
    await intake.envelopesOf(['https://d.example/']);
    expect(intake.lineNo).toBe(1);
  });
});

describe('DedupeClaims', () => {
  const quiet = createLogger({ level: 'quiet' });

  test('keeps fresh envelopes, counts duplicates, releases only claims that were not sent', async () => {
    const released: string[][] = [];
    const deduper = { claim: async (urls: string[]) => urls.map((u) => !u.includes('dup')), release: async (urls: string[]) => { released.push(urls); } };
    const stats = new ProduceStats();
    const claims = new DedupeClaims({ deduper: deduper as unknown as RedisDeduper, logger: quiet, stats });
    const [a, dup, b] = [env('https://a/'), env('https://dup/'), env('https://b/')];
    expect(await claims.fresh([a!, dup!, b!])).toEqual([a, b]);
    expect(stats.duplicates).toBe(1);
    claims.notSent(a!);
    claims.notSent(env('https://never-claimed/'));
    claims.undelivered('https://reported/');
    await claims.releaseIfMany();
    expect(released).toEqual([]);
    await claims.release();
    expect(released).toEqual([['https://a/', 'https://reported/']]);
  });

  test('Redis failing: the batch goes on without dedupe, warned once', async () => {
    const lines: string[] = [];
    const deduper = { claim: async () => { throw new Error('down'); }, release: async () => undefined };
    const claims = new DedupeClaims({ deduper: deduper as unknown as RedisDeduper, logger: createLogger({ write: (l) => lines.push(l) }), stats: new ProduceStats() });
    const batch = [env('https://a/'), env('https://b/')];
    expect(await claims.fresh(batch)).toBe(batch);
    expect(await claims.fresh(batch)).toBe(batch);
    expect(lines.filter((l) => l.includes('--dedupe: Redis failed (down)'))).toHaveLength(1);
  });
});

// Since issue 18 the sender queues into a transaction (ProduceTransactions), which replaced FailedDeliveries: a
// failure report dooms the open transaction, and its URLs reach the fallback file when it is aborted.
describe('EnvelopeSender and ProduceTransactions', () => {
  const ok: TxnOutcome = { ok: true };
  const setup = (trySend: (p: number, key: string, value: Buffer) => boolean, commit: () => TxnOutcome = () => ok, maxUrls = 1_000) => {
    const stats = new ProduceStats();
    const fallback = memoryFile();
    const sent: { p: number; key: string; value: string }[] = [];
    const calls: string[] = [];
    const producer = {
      trySend: (p: number, key: string, value: Buffer) => {
        const ok = trySend(p, key, value);
        if (ok) sent.push({ p, key, value: value.toString() });
        return ok;
      },
      waitForRoom: async () => undefined,
      beginTransaction: async () => { calls.push('begin'); return ok; },
      commitTransaction: async () => { calls.push('commit'); return commit(); },
      abortTransaction: async () => { calls.push('abort'); return ok; },
    } as unknown as BulkProducer;
    const transactions = new ProduceTransactions({ stats, fallback: fallback.file, logger: createLogger({ level: 'quiet' }), maxUrls, maxAgeMs: 60_000, settleBoundMs: 300 });
    transactions.attach(producer);
    const sender = new EnvelopeSender({ producer, partition: (input) => input.host.length % 3, partitions: { count: 3 }, stats, fallback: fallback.file, transactions });
    return { stats, fallback, sent, calls, transactions, sender };
  };

  test('queues synchronously with the key and the encoded envelope', () => {
    const { stats, sent, sender } = setup(() => true);
    const e = env('https://a.example/');
    expect(sender.emit(e)).toBeUndefined();
    expect(sent).toEqual([{ p: 'a.example'.length % 3, key: 'a.example', value: JSON.stringify(e) }]);
    expect(stats.inFlight).toBe(1);
  });

  test('no room: waits, then sends its own copy of the bytes', async () => {
    let calls = 0;
    const { sent, sender } = setup(() => ++calls > 1);
    const e = env('https://a.example/');
    const waiting = sender.emit(e);
    expect(waiting).toBeInstanceOf(Promise);
    sender.emit(env('https://other.example/'));
    await waiting;
    expect(sent.map((s) => s.value)).toEqual([JSON.stringify(env('https://other.example/')), JSON.stringify(e)]);
  });

  test('refused, stopped, or after a delivery failure: to the fallback file with the reason', async () => {
    let refuse = true;
    const { stats, fallback, transactions, calls, sender } = setup(() => { if (refuse) throw new SendRefused('ERR_MSG_SIZE_TOO_LARGE'); return true; });
    await sender.emit(env('https://a/'));
    expect(stats.failedBy.get('ERR_MSG_SIZE_TOO_LARGE')).toBe(1);
    const failed = env('https://failed/');
    refuse = false;
    await sender.emit(failed);
    transactions.report({ partition: 0, key: 'failed', value: Buffer.from(JSON.stringify(failed)), reason: 'ERR__MSG_TIMED_OUT' });
    expect(sender.halted()).toBe(true);
    await sender.emit(env('https://b/'));
    expect(stats.failedBy.get('not-sent-broker-failing')).toBe(1);
    // The doomed transaction is aborted without a commit attempt; its URLs go to the fallback file.
    await transactions.settle(true);
    expect(calls).toEqual(['abort']);
    sender.stoppedBy = 'SIGINT';
    expect(fallback.records).toEqual([env('https://a/'), env('https://b/'), failed]);
    expect(stats.failedBy.get('ERR__MSG_TIMED_OUT')).toBe(1);
  });

  test('stopped by a signal: interrupted', async () => {
    const { stats, sender } = setup(() => true);
    sender.stoppedBy = 'SIGTERM';
    await sender.emit(env('https://a/'));
    expect(stats.failedBy.get('interrupted')).toBe(1);
  });

  test('a full transaction is committed before the next URL is queued; its URLs count delivered then, not before', async () => {
    const { stats, calls, sent, sender } = setup(() => true, () => ok, 2);
    expect(sender.emit(env('https://a.example/1'))).toBeUndefined();
    const committing = sender.emit(env('https://b.example/2'));
    expect(committing).toBeInstanceOf(Promise);
    expect(stats.delivered).toBe(0);
    // Emitted during the commit: waits for it, then opens the next transaction.
    const next = sender.emit(env('https://c.example/3'));
    await committing;
    await next;
    expect(calls).toEqual(['commit', 'begin']);
    expect(stats.delivered).toBe(2);
    expect(stats.inFlight).toBe(1);
    expect(sent).toHaveLength(3);
  });

  test('a commit that fails: the whole transaction is aborted into the fallback file, nothing more is sent', async () => {
    const fail: TxnOutcome = { ok: false, reason: 'ERR__MSG_TIMED_OUT', retriable: false, abortable: true, fatal: false };
    const { stats, calls, fallback, sender } = setup(() => true, () => fail, 2);
    const [a, b] = [env('https://a.example/1'), env('https://b.example/2')];
    sender.emit(a);
    await sender.emit(b);
    expect(calls).toEqual(['commit', 'abort']);
    expect(fallback.records).toEqual([a, b]);
    expect(stats.failedBy.get('ERR__MSG_TIMED_OUT')).toBe(2);
    expect(sender.halted()).toBe(true);
    stats.lines = 2;
    expect(stats.accounted()).toBe(true);
  });

  test('a commit still timing out when its time runs out: in doubt, not aborted, to the fallback file with its own reason', async () => {
    const timedOut: TxnOutcome = { ok: false, reason: 'ERR__TIMED_OUT', retriable: true, abortable: false, fatal: false };
    const { stats, calls, fallback, transactions, sender } = setup(() => true, () => timedOut);
    sender.emit(env('https://a.example/1'));
    await transactions.settle(true);
    expect(calls.every((c) => c === 'commit') && calls.length > 1).toBe(true);
    expect(fallback.records).toHaveLength(1);
    expect(stats.failedBy.get(COMMIT_UNKNOWN)).toBe(1);
  });
});

describe('ProduceTransactions timer', () => {
  test('a transaction is committed maxAgeMs after its first URL, without further input', async () => {
    const stats = new ProduceStats();
    const calls: string[] = [];
    const ok: TxnOutcome = { ok: true };
    const producer = {
      beginTransaction: async () => { calls.push('begin'); return ok; },
      commitTransaction: async () => { calls.push('commit'); return ok; },
      abortTransaction: async () => ok,
    };
    const t = new ProduceTransactions({ stats, fallback: memoryFile().file, logger: createLogger({ level: 'quiet' }), maxUrls: 100, maxAgeMs: 20, settleBoundMs: 1_000 });
    t.attach(producer);
    t.add(0, env('https://a.example/'));
    expect(t.due()).toBe(false);
    await new Promise((r) => setTimeout(r, 60));
    await t.pending;
    expect(calls).toEqual(['commit', 'begin']);
    expect(stats.delivered).toBe(1);
  });
});

describe('ProduceTransactions slow commit', () => {
  test('a commit without an answer is said in a warning while it waits, and its URLs still go to the fallback file', async () => {
    const lines: string[] = [];
    const logger = { ...createLogger({ level: 'quiet' }), warn: (m: string) => void lines.push(m) };
    const fallback = memoryFile();
    const producer = {
      beginTransaction: async () => ({ ok: true }) as TxnOutcome,
      // The cluster never answers: the call runs out its time and says so, retriable.
      commitTransaction: async (ms: number) => { await new Promise((r) => setTimeout(r, ms)); return { ok: false, retriable: true, reason: 'ERR__TIMED_OUT' } as TxnOutcome; },
      abortTransaction: async () => ({ ok: true }) as TxnOutcome,
    };
    const t = new ProduceTransactions({ stats: new ProduceStats(), fallback: fallback.file, logger: logger as never, maxUrls: 100, maxAgeMs: 60_000, settleBoundMs: 300, slowCommitWarnMs: 50 });
    t.attach(producer);
    t.add(0, env('https://a.example/'));
    await t.settle(true);
    expect(lines.filter((l) => l.startsWith('the commit of a transaction of 1 URLs has had no answer for 0.05 s'))).toHaveLength(1);
    expect(fallback.records).toEqual([env('https://a.example/')]);
  });

  test('a prompt commit says nothing', async () => {
    const lines: string[] = [];
    const logger = { ...createLogger({ level: 'quiet' }), warn: (m: string) => void lines.push(m) };
    const ok = async () => ({ ok: true }) as TxnOutcome;
    const t = new ProduceTransactions({ stats: new ProduceStats(), fallback: memoryFile().file, logger: logger as never, maxUrls: 100, maxAgeMs: 60_000, settleBoundMs: 300, slowCommitWarnMs: 50 });
    t.attach({ beginTransaction: ok, commitTransaction: ok, abortTransaction: ok });
    t.add(0, env('https://a.example/'));
    await t.settle(true);
    await new Promise((r) => setTimeout(r, 80));
    expect(lines).toEqual([]);
  });
});
