/**
 * A page record's JSON built from the body's UTF-8 bytes: the body goes from the socket to the producer as
 * bytes, escaped in one pass, instead of becoming a JS string, then a JSON string, then a Buffer again (three
 * copies of every page on the heap, which is what made 1 MiB pages cost memory).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Two-character escapes JSON defines; other control characters become \u00XX. */
const SHORT_ESCAPES: Record<number, number> = { 0x08: 0x62, 0x09: 0x74, 0x0a: 0x6e, 0x0c: 0x66, 0x0d: 0x72, [QUOTE]: QUOTE, [BACKSLASH]: BACKSLASH };
const HEX = '0123456789abcdef';

/**
 * The bytes of a JSON string literal's contents (without the quotes) for valid UTF-8 `text`. Bytes that need
 * no escape are copied as they are (JSON text is UTF-8); the input itself is returned when nothing needs one.
 */
export function jsonStringContent(text: Buffer): Buffer {
  let extra = 0;
  for (let i = 0; i < text.length; i++) {
    const b = text[i]!;
    if (b < 0x20 || b === QUOTE || b === BACKSLASH) extra += SHORT_ESCAPES[b] === undefined ? 5 : 1;
  }
  if (extra === 0) return text;
  const out = Buffer.allocUnsafe(text.length + extra);
  let o = 0;
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const b = text[i]!;
    if (b >= 0x20 && b !== QUOTE && b !== BACKSLASH) continue;
    o += text.copy(out, o, runStart, i);
    out[o++] = BACKSLASH;
    const short = SHORT_ESCAPES[b];
    if (short !== undefined) {
      out[o++] = short;
    } else {
      o += out.write(`u00${HEX[b >> 4]}${HEX[b & 15]}`, o, 'latin1');
    }
    runStart = i + 1;
  }
  o += text.copy(out, o, runStart, text.length);
  return out;
}

/**
 * `JSON.stringify({...fields, [name]: text})` as bytes, with `text` (valid UTF-8) escaped from its bytes.
 * `fields` must not already have `name`; the string field comes last.
 */
export function jsonWithStringField(fields: object, name: string, text: Buffer): Buffer {
  const head = JSON.stringify(fields);
  const open = `${head.length > 2 ? `${head.slice(0, -1)},` : '{'}${JSON.stringify(name)}:"`;
  const content = jsonStringContent(text);
  const out = Buffer.allocUnsafe(Buffer.byteLength(open) + content.length + 2);
  let o = out.write(open, 0);
  o += content.copy(out, o);
  out.write('"}', o, 'latin1');
  return out;
}
