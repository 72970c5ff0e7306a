/**
 * Cuts one top-level string member (the page body) out of a JSON object's text before it is parsed (pure).
 * Why: with `--bodies none` the body is most of a page record's bytes and is thrown away after JSON.parse built
 * it; the parse and the garbage it leaves were most of the sink's CPU (BENCHMARKS.md, "Sink"). Skipping the body
 * with native indexOf hops and parsing the ~600 bytes left is several times cheaper.
 *
 * It is an optimisation only: whenever the text is not laid out as expected (not an object, the member absent or
 * not a string, an escaped key, anything odd at the top level) the answer is undefined and the caller parses the
 * whole text as before, so JSON.parse still judges every malformed record. The cut piece is checked to be a valid
 * JSON string, so cutting never turns an invalid record into a valid one.
 */

export interface CutResult {
  /** The text without the member (still a JSON object's text when the original was one). */
  json: string;
  /** UTF-16 length of the cut string value, quotes excluded: about what the body held. */
  cutChars: number;
}

// eslint-disable-next-line no-control-regex -- JSON forbids exactly these in a string
const CONTROL = /[\u0000-\u001f]/;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** Whether the content between a string's quotes is valid JSON: no control character, every backslash one of JSON's escapes. */
function validStringContent(content: string): boolean {
  if (CONTROL.test(content)) return false;
  for (let j = content.indexOf('\\'); j >= 0; j = content.indexOf('\\', j)) {
    const c = content.charCodeAt(j + 1);
    // " \ / b f n r t
    if (c === 0x22 || c === 0x5c || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) j += 2;
    else if (c === 0x75 && HEX4.test(content.slice(j + 2, j + 6))) j += 6;
    else return false;
  }
  return true;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Index just past the closing quote of the string starting at `open` (a quote), or -1. */
function stringEnd(text: string, open: number): number {
  let i = open + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) return -1;
    let backslashes = 0;
    for (let j = q - 1; text.charCodeAt(j) === 0x5c; j--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    i = q + 1;
  }
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** Index just past a nested object or array starting at `i` (not validated: it stays in the text JSON.parse reads), or -1. */
function nestedEnd(text: string, i: number): number {
  let depth = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = stringEnd(text, i);
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
function scalarEnd(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x2c || c === 0x7d || isSpace(c)) return i;
    if (c === 0x22 || c === 0x7b || c === 0x5b) return -1;
    i++;
  }
  return -1;
}

export function cutStringMember(text: string, name: string): CutResult | undefined {
  const key = `"${name}"`;
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== 0x7b) return undefined;
  i = skipSpace(text, i + 1);
  let previousValueEnd = -1;
  while (text.charCodeAt(i) === 0x22) {
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return undefined;
    const isTarget = keyEnd - i === key.length && text.startsWith(key, i);
    const memberStart = i;
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== 0x3a) return undefined;
    i = skipSpace(text, i + 1);
    const c = text.charCodeAt(i);
    const valueStart = i;
    if (c === 0x22) i = stringEnd(text, i);
    else if (c === 0x7b || c === 0x5b) i = nestedEnd(text, i);
    else i = scalarEnd(text, i);
    if (i < 0) return undefined;
    const valueEnd = i;
    i = skipSpace(text, i);
    const next = text.charCodeAt(i);
    if (next !== 0x2c && next !== 0x7d) return undefined;
    if (isTarget) {
      if (c !== 0x22) return undefined;
      const content = text.slice(valueStart + 1, valueEnd - 1);
      if (!validStringContent(content)) return undefined;
      const cutChars = content.length;
      // Not first: cut from the comma after the previous value. First and followed by another member: cut through
      // the comma. Alone: cut the member, leaving `{}`.
      if (previousValueEnd >= 0) return { json: text.slice(0, previousValueEnd) + text.slice(valueEnd), cutChars };
      if (next === 0x7d) return { json: text.slice(0, memberStart) + text.slice(valueEnd), cutChars };
      const after = skipSpace(text, i + 1);
      if (text.charCodeAt(after) !== 0x22) return undefined;
      return { json: text.slice(0, memberStart) + text.slice(after), cutChars };
    }
    if (next === 0x7d) return undefined;
    previousValueEnd = valueEnd;
    i = skipSpace(text, i + 1);
  }
  return undefined;
}
