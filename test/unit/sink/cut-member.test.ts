import { describe, expect, test } from '@jest/globals';
import { cutStringMember as cutBytes } from '../../../src/sink/cut-member.js';

/** The cut works on a record's bytes as consumed; the cases are written as text. */
const cutStringMember = (text: string, name: string) => cutBytes(Buffer.from(text), name);

/** What JSON.parse makes of the text as the consumer decodes its bytes (a lone surrogate becomes U+FFFD), or 'invalid'. */
function parsed(text: string): unknown {
  try { return JSON.parse(Buffer.from(text).toString()); } catch { return 'invalid'; }
}

/** The parse of the text with `body` removed, as the cut must give it. */
function withoutBody(text: string): unknown {
  const value = parsed(text);
  if (value === 'invalid' || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const rest = { ...(value as Record<string, unknown>) };
  delete rest.body;
  return rest;
}

/** The cut is right when it declines, or when parsing its result equals parsing the whole and deleting `body`. */
function expectFaithful(text: string): ReturnType<typeof cutStringMember> {
  const cut = cutStringMember(text, 'body');
  if (cut) {
    expect(parsed(text)).not.toBe('invalid');
    expect(parsed(cut.json)).toEqual(withoutBody(text));
  }
  return cut;
}

describe('cutting the body out of a record before parsing', () => {
  test('a page record: first, middle and last position, the rest parses the same', () => {
    const fields = { url: 'https://a.test/x', status: 200, headers: { etag: '"1-2"', vary: 'A' }, tags: ['a', { b: '}' }], ok: true, n: null };
    const body = '<p class="x">a\\b "q" \u00e9 \ud83d\ude00 \n\t</p>';
    for (const order of [['body', ...Object.keys(fields)], [...Object.keys(fields), 'body'], ['url', 'status', 'body', 'headers', 'tags', 'ok', 'n']]) {
      const record: Record<string, unknown> = {};
      for (const k of order) record[k] = k === 'body' ? body : (fields as Record<string, unknown>)[k];
      for (const text of [JSON.stringify(record), JSON.stringify(record, null, 2)]) {
        const cut = expectFaithful(text);
        expect(cut).toBeDefined();
        expect(cut!.cutBytes).toBe(Buffer.byteLength(JSON.stringify(body)) - 2);
      }
    }
  });

  test('a body alone leaves an empty object', () => {
    expect(expectFaithful('{ "body" : "x" }')!.json.replace(/\s/g, '')).toBe('{}');
  });

  test('strings with escaped quotes and backslashes next to quotes', () => {
    for (const s of ['\\', '\\"', '"\\', 'a\\\\"b', '\\\\\\"', '"', '']) {
      const text = JSON.stringify({ a: s, body: s, c: { d: s } });
      expect(expectFaithful(text)).toBeDefined();
    }
  });

  test('a key named body inside a nested value or as a string value is not the member', () => {
    const text = JSON.stringify({ headers: { body: 'inner' }, x: ['"body":"y"'], v: 'body' });
    expect(expectFaithful(text)).toBeUndefined();
  });

  test('declines when the body is not a string, the key is escaped, or it is absent', () => {
    for (const text of ['{"body":{"a":1}}', '{"body":5,"a":1}', '{"bo\\u0064y":"x"}', '{"a":1}', '[1]', '"body"', '', 'null']) {
      expect(expectFaithful(text)).toBeUndefined();
    }
  });

  test('never makes an invalid record valid', () => {
    const invalid = [
      '{"body":"x",}', '{"a":1,,"body":"x"}', '{"a":1 "body":"x"}', '{"body":"x" "a":1}', '{"body":"a\u0001b"}',
      '{"body":"a\\xb"}', '{"body":"\\u12"}', '{"body":"x"', '{"a":[1},"body":"x"]}', '{"a":1,"body":"x"}}',
      '{"a":tru,"body":"x"}', '{"body":"x",]', '{"a":"unterminated,"body":"x"}', '{"body":"x"}garbage',
    ];
    for (const text of invalid) {
      expect(parsed(text)).toBe('invalid');
      const cut = cutStringMember(text, 'body');
      if (cut) expect(parsed(cut.json)).toBe('invalid');
    }
  });

  test('finds a control byte anywhere in the body, whatever the alignment of the bytes in memory', () => {
    // The scan reads 4-byte words: a control byte in the unaligned head, in a word or in the tail must each be
    // found, bytes 0x20 and up (UTF-8 included) never flagged, and a record placed at any offset of its memory
    // (a consumer's value is a slice of a larger buffer) read the same.
    for (let length = 0; length <= 19; length++) {
      for (let shift = 0; shift < 4; shift++) {
        const clean = `{"a":1,"body":"${'x é'.repeat(length).slice(0, length)}","z":2}`;
        const place = (text: string) => {
          const bytes = Buffer.from(text);
          const memory = Buffer.alloc(bytes.length + 8);
          bytes.copy(memory, shift);
          return memory.subarray(shift, shift + bytes.length);
        };
        expect(cutBytes(place(clean), 'body')?.json).toBe('{"a":1,"z":2}');
        const start = clean.indexOf('"body":"') + 8;
        for (let at = 0; at < length; at++) {
          for (const control of ['\u0000', '\u001f', '\t']) {
            const bad = clean.slice(0, start + at) + control + clean.slice(start + at + 1);
            expect(parsed(bad)).toBe('invalid');
            expect(cutBytes(place(bad), 'body')).toBeUndefined();
          }
        }
      }
    }
  });

  test('random records agree with JSON.parse', () => {
    let seed = 7;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const pieces = ['a', '"', '\\', '\n', '}', '{', ']', '[', ',', ':', '\u2028', '\ud800', 'é', ' '];
    const str = () => Array.from({ length: rnd(12) }, () => pieces[rnd(pieces.length)]).join('');
    for (let n = 0; n < 2000; n++) {
      const record: Record<string, unknown> = {};
      const keys = ['url', 'body', 'h', 'z'].sort(() => rnd(3) - 1);
      for (const k of keys) record[k] = rnd(5) === 0 ? { [str()]: [str(), rnd(100)] } : str();
      const text = JSON.stringify(record);
      const cut = expectFaithful(text);
      if (typeof record.body === 'string') expect(cut).toBeDefined();
      // A corrupted copy (one character changed) must never be turned valid by the cut.
      const at = rnd(text.length);
      const broken = text.slice(0, at) + pieces[rnd(pieces.length)] + text.slice(at + 1);
      const brokenCut = cutStringMember(broken, 'body');
      if (brokenCut && parsed(broken) === 'invalid') expect(parsed(brokenCut.json)).toBe('invalid');
      else if (brokenCut) expect(parsed(brokenCut.json)).toEqual(withoutBody(broken));
    }
  });
});
