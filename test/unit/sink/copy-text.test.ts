import { describe, expect, test } from '@jest/globals';
import { cellsOfLine, copyCell, copyLine, copyPayload, isoTime } from '../../../src/sink/copy-text.js';

describe('COPY text format', () => {
  test('NULL, numbers, booleans and times', () => {
    expect([null, 42, true, false, new Date(0)].map(copyCell)).toEqual(['\\N', '42', 't', 'f', '1970-01-01T00:00:00.000Z']);
  });

  test('the four special characters are escaped, nothing else', () => {
    expect(copyCell('a\\b\nc\rd\te "é" ,;')).toBe('a\\\\b\\nc\\rd\\te "é" ,;');
  });

  test('objects are JSON, escaped like text', () => {
    expect(copyCell({ a: 'x\ny', b: '\\' })).toBe('{"a":"x\\\\ny","b":"\\\\\\\\"}');
  });

  test('a line is tab-separated and ends with a newline', () => {
    expect(copyLine(['u', null, 3])).toBe('u\t\\N\t3\n');
  });

  test('a line reads back as its cells, as text; lines join into one payload', () => {
    const line = copyLine(['a\\b\nc\rd\te', null, 3, { k: 'x\ty' }]);
    expect(cellsOfLine(line)).toEqual(['a\\b\nc\rd\te', null, '3', '{"k":"x\\ty"}']);
    expect(copyPayload([line, copyLine(['z'])]).toString()).toBe(`${line}z\n`);
  });

  test('times are exactly toISOString, whether the second was formatted just before or not', () => {
    let seed = 11;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const times = [0, 999, 1000, 1001, -1, -999, -1000, -1001, 253_402_300_799_999, 253_402_300_800_000, -62_167_219_200_001, 1_765_000_000_000];
    // Runs of times inside one second (the usual case), jumps between seconds and years, and back again.
    for (let n = 0; n < 3000; n++) {
      const base = rnd(2) ? 1_765_000_000_000 + rnd(5_000) : rnd(2_000_000_000) * 1000 - 1e12;
      times.push(base, base + rnd(1000), base + 1, base);
    }
    // A row's two times (fetched_at, the record's timestamp) alternate between two seconds, row after row.
    for (let n = 0; n < 500; n++) times.push(1_765_000_000_000 + rnd(3_000), 1_765_000_100_000 + rnd(3_000), 1_765_000_200_000 + rnd(1_000));
    for (const ms of times) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    for (const ms of times) expect(copyCell(new Date(ms))).toBe(new Date(ms).toISOString());
  });
});
