/**
 * Cuts one top-level string member (the page body) out of a JSON object's bytes before they are decoded and
 * parsed (pure). Why: with `--bodies none` the body is most of a page record's bytes and is thrown away after
 * JSON.parse built it; decoding it to a string, parsing it and collecting the garbage were most of the sink's CPU
 * (BENCHMARKS.md, "Sink"). Skipping the body with native indexOf hops over the UTF-8 bytes and decoding and
 * parsing the ~600 bytes left is several times cheaper. Working on bytes is exact: every byte JSON's structure
 * is made of is ASCII, and UTF-8 never uses an ASCII byte inside a multi-byte character (nor does the decoder
 * swallow one into a replacement character), so the structure found in the bytes is the one the decoded text has.
 *
 * It is an optimisation only: whenever the text is not laid out as expected (not an object, the member absent or
 * not a string, an escaped key, anything odd at the top level) the answer is undefined and the caller decodes and
 * parses the whole value as before, so JSON.parse still judges every malformed record. The cut piece is checked
 * to be a valid JSON string, so cutting never turns an invalid record into a valid one.
 */

export interface CutResult {
  /** The text without the member (still a JSON object's text when the original was one). */
  json: string;
  /** Bytes of the cut string value, quotes excluded: about what the body held. */
  cutBytes: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}

/**
 * Whether bytes [from, to) hold a byte below 0x20 (a control character, which JSON forbids inside a string). Four
 * bytes at a time: for a 32-bit word w, (w - 0x20202020) & ~w & 0x80808080 is non-zero exactly when one of its
 * bytes is below 0x20 (the borrow of a byte under 0x20 sets its top bit, and ~w keeps only bytes that were
 * under 0x80 before). Words are read through an Int32Array view, so the loop allocates nothing per byte; a
 * latin1 string and a regular expression did the same scan at three times the CPU, most of it the string's
 * allocation and collection (BENCHMARKS.md, "Sink", round 4).
 */
function hasControlByte(b: Buffer, from: number, to: number): boolean {
  let i = from;
  const absolute = b.byteOffset + i;
  // Bytes up to a 4-byte boundary of the underlying memory, then whole words, then the tail.
  const head = Math.min(to, i + ((4 - (absolute & 3)) & 3));
  for (; i < head; i++) if (b[i]! < 0x20) return true;
  const words = (to - i) >> 2;
  if (words > 0) {
    const view = new Int32Array(b.buffer, b.byteOffset + i, words);
    for (let k = 0; k < words; k++) {
      const w = view[k]!;
      if (((w - 0x20202020) & ~w & 0x80808080) !== 0) return true;
    }
    i += words << 2;
  }
  for (; i < to; i++) if (b[i]! < 0x20) return true;
  return false;
}

function validStringContent(b: Buffer, from: number, to: number): boolean {
  if (hasControlByte(b, from, to)) return false;
  for (let j = b.indexOf(BACKSLASH, from); j >= 0 && j < to; j = b.indexOf(BACKSLASH, j)) {
    const e = b[j + 1];
    // " \ / b f n r t
    if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) j += 2;
    else if (e === 0x75 && j + 5 < to && isHex(b[j + 2]) && isHex(b[j + 3]) && isHex(b[j + 4]) && isHex(b[j + 5])) j += 6;
    else return false;
  }
  return true;
}

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Index just past the closing quote of the string starting at `open` (a quote), or -1. */
function stringEnd(b: Buffer, open: number): number {
  let i = open + 1;
  for (;;) {
    const q = b.indexOf(QUOTE, i);
    if (q < 0) return -1;
    let backslashes = 0;
    for (let j = q - 1; b[j] === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    i = q + 1;
  }
}

function skipSpace(b: Buffer, i: number): number {
  while (i < b.length && isSpace(b[i])) i++;
  return i;
}

/** Index just past a nested object or array starting at `i` (not validated: it stays in the text JSON.parse reads), or -1. */
function nestedEnd(b: Buffer, i: number): number {
  let depth = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c === QUOTE) {
      i = stringEnd(b, i);
      if (i < 0) return -1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
      if (depth < 0) return -1;
    }
    i++;
  }
  return -1;
}

/** Index just past a number, true, false or null starting at `i` (validated by JSON.parse later). */
function scalarEnd(b: Buffer, i: number): number {
  while (i < b.length) {
    const c = b[i]!;
    if (c === 0x2c || c === 0x7d || isSpace(c)) return i;
    if (c === QUOTE || c === 0x7b || c === 0x5b) return -1;
    i++;
  }
  return -1;
}

/** Whether the bytes at `at` are exactly `key` (the member name with its quotes, ASCII). */
function keyAt(b: Buffer, at: number, end: number, key: string): boolean {
  if (end - at !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (b[at + k] !== key.charCodeAt(k)) return false;
  return true;
}

/** The text of the object without the member: bytes [0, from) and [to, end) decoded. */
function without(b: Buffer, from: number, to: number, cutBytes: number): CutResult {
  return { json: b.toString('utf8', 0, from) + b.toString('utf8', to), cutBytes };
}

/** `name` is ASCII without escapes (the callers pass 'body'). */
export function cutStringMember(bytes: Buffer, name: string): CutResult | undefined {
  const b = bytes;
  const key = `"${name}"`;
  let i = skipSpace(b, 0);
  if (b[i] !== 0x7b) return undefined;
  i = skipSpace(b, i + 1);
  let previousValueEnd = -1;
  while (b[i] === QUOTE) {
    const keyEnd = stringEnd(b, i);
    if (keyEnd < 0) return undefined;
    const isTarget = keyAt(b, i, keyEnd, key);
    const memberStart = i;
    i = skipSpace(b, keyEnd);
    if (b[i] !== 0x3a) return undefined;
    i = skipSpace(b, i + 1);
    const c = b[i];
    const valueStart = i;
    if (c === QUOTE) i = stringEnd(b, i);
    else if (c === 0x7b || c === 0x5b) i = nestedEnd(b, i);
    else i = scalarEnd(b, i);
    if (i < 0) return undefined;
    const valueEnd = i;
    i = skipSpace(b, i);
    const next = b[i];
    if (next !== 0x2c && next !== 0x7d) return undefined;
    if (isTarget) {
      if (c !== QUOTE || !validStringContent(b, valueStart + 1, valueEnd - 1)) return undefined;
      const cutBytes = valueEnd - valueStart - 2;
      // Not first: cut from the comma after the previous value. First and followed by another member: cut through
      // the comma. Alone: cut the member, leaving `{}`.
      if (previousValueEnd >= 0) return without(b, previousValueEnd, valueEnd, cutBytes);
      if (next === 0x7d) return without(b, memberStart, valueEnd, cutBytes);
      const after = skipSpace(b, i + 1);
      if (b[after] !== QUOTE) return undefined;
      return without(b, memberStart, after, cutBytes);
    }
    if (next === 0x7d) return undefined;
    previousValueEnd = valueEnd;
    i = skipSpace(b, i + 1);
  }
  return undefined;
}
