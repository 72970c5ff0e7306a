import { describe, expect, test } from '@jest/globals';
import { Batcher } from '../../../src/sink/batcher.js';
import type { BatchEntry } from '../../../src/sink/loader.js';

const entry = (partition: number, offset: number): BatchEntry => ({
  message: { topic: 't', partition, offset, timestamp: 0, key: null, value: null }, line: '', reject: undefined,
});

describe('Batcher', () => {
  test('a batch is due when full by rows, by bytes, or after the linger', () => {
    const b = new Batcher({ batchRows: 3, batchBytes: 100, lingerMs: 50 });
    b.add(0, entry(0, 0), 10, 1000);
    b.add(1, entry(1, 0), 60, 1000);
    expect(b.due(1010)).toEqual([]);
    b.add(0, entry(0, 1), 10, 1010);
    b.add(0, entry(0, 2), 10, 1020);
    b.add(1, entry(1, 1), 60, 1020);
    expect(b.due(1030)).toEqual([0, 1]);
    b.add(2, entry(2, 0), 1, 1030);
    expect(b.due(1079)).toEqual([0, 1]);
    expect(b.due(1080)).toEqual([0, 1, 2]);
    expect(b.due(1031, true)).toEqual([0, 1, 2]);
  });

  test('take cuts at most batchRows and batchBytes, in offset order, and says the next offset', () => {
    const b = new Batcher({ batchRows: 2, batchBytes: 100, lingerMs: 50 });
    for (let o = 0; o < 5; o++) b.add(0, entry(0, o), 40, 0);
    expect(b.bytes()).toBe(200);
    const first = b.take(0, 1)!;
    expect(first.entries.map((e) => e.message.offset)).toEqual([0, 1]);
    expect(first.nextOffset).toBe(2);
    expect(b.rows(0)).toBe(3);
    expect(b.bytes(0)).toBe(120);
    const big = new Batcher({ batchRows: 10, batchBytes: 100, lingerMs: 50 });
    big.add(0, entry(0, 7), 150, 0);
    big.add(0, entry(0, 8), 10, 0);
    // One record over the byte limit still makes a batch of its own.
    expect(big.take(0, 0)!.entries.map((e) => e.message.offset)).toEqual([7]);
    expect(big.take(0, 0)!.entries.map((e) => e.message.offset)).toEqual([8]);
    expect(big.take(0, 0)).toBeUndefined();
  });

  test('drop forgets a revoked partition and its bytes', () => {
    const b = new Batcher({ batchRows: 10, batchBytes: 1000, lingerMs: 50 });
    b.add(0, entry(0, 0), 10, 0);
    b.add(3, entry(3, 0), 20, 0);
    b.drop(3);
    expect([b.bytes(), b.rows(), b.due(0, true)]).toEqual([10, 1, [0]]);
  });
});
