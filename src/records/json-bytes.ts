/**
 * The pages topic's encoder: a page record's JSON built from the body's UTF-8 bytes. The record that waits
 * for the broker's ack is one Buffer; the body is never held as a decoded JS string, then a JSON string, then
 * a Buffer again (three copies of every page kept alive until delivery, which is what made 1 MiB pages cost
 * memory).
 */

/**
 * `JSON.stringify({...fields, [name]: text})` as bytes, for `text` in UTF-8. `fields` must not already have
 * `name`; the string field comes last.
 *
 * The body is escaped by V8's own JSON.stringify on its latin1 reading (one character per byte). Every byte
 * JSON must escape is ASCII (controls, `"`, `\`), and every byte of a multi-byte UTF-8 sequence is >= 0x80,
 * which JSON.stringify leaves alone; so writing the result back as latin1 gives exactly the UTF-8 JSON. The
 * two strings this makes are one byte per character and die before the function returns.
 */
export function jsonWithStringField(fields: object, name: string, text: Buffer): Buffer {
  const head = JSON.stringify(fields);
  const open = `${head.length > 2 ? `${head.slice(0, -1)},` : '{'}${JSON.stringify(name)}:`;
  const quoted = JSON.stringify(text.toString('latin1'));
  const openBytes = Buffer.byteLength(open);
  const out = Buffer.allocUnsafe(openBytes + quoted.length + 1);
  out.write(open, 0);
  out.write(quoted, openBytes, 'latin1');
  out[out.length - 1] = 0x7d; // }
  return out;
}
