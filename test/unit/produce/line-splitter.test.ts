import { describe, expect, test } from '@jest/globals';
import { LineSplitter, type SplitLine } from '../../../src/produce/line-splitter.js';

function split(chunks: (string | Buffer)[], max = 1024): SplitLine[] {
  const s = new LineSplitter(max);
  const out: SplitLine[] = [];
  for (const c of chunks) out.push(...s.push(typeof c === 'string' ? Buffer.from(c) : c));
  out.push(...s.end());
  return out;
}

describe('LineSplitter', () => {
  test('splits on LF, drops CR before it, keeps a last line without newline', () => {
    expect(split(['a\r\nb\n', 'c'])).toEqual(['a', 'b', 'c']);
  });

  test('joins lines across chunks, including a multi-byte character cut in half', () => {
    const bytes = Buffer.from('héllo\nwörld\n');
    expect(split([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)])).toEqual(['héllo', 'wörld']);
  });

  test('drops a UTF-8 BOM at the start of the stream only', () => {
    expect(split([Buffer.from([0xef, 0xbb, 0xbf]), 'a\n\uFEFFb\n'])).toEqual(['a', '\uFEFFb']);
    expect(split([Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('x\n')])])).toEqual(['x']);
  });

  test('bytes that are not UTF-8 become U+FFFD', () => {
    expect(split([Buffer.from([0x68, 0xff, 0xfe, 0x0a])])).toEqual(['h\uFFFD\uFFFD']);
  });

  test('an overlong line is reported with a short prefix and its length, without holding it', () => {
    const big = 'x'.repeat(5000);
    const out = split(['ok\n', big.slice(0, 1000), big.slice(1000), '\nnext\n'], 100);
    expect(out[0]).toBe('ok');
    expect(out[1]).toEqual({ overlong: true, prefix: 'x'.repeat(256), bytes: 5000 });
    expect(out[2]).toBe('next');
    expect(split([big], 100)).toEqual([{ overlong: true, prefix: 'x'.repeat(256), bytes: 5000 }]);
  });

  test('a line of exactly the limit passes', () => {
    expect(split(['y'.repeat(100), '\n'], 100)).toEqual(['y'.repeat(100)]);
  });
});
