/**
 * The urls topic's encoder, on the per-message hot path of produce, kept allocation-light: at 100k URLs/s
 * every allocation shows. Its output is exactly JSON.stringify(envelope) (the decoder's input): a new
 * envelope field is added here, in ./types.ts, ./url-envelope.ts and ./decode.ts.
 * EnvelopeEncoder writes the JSON of an envelope into one reused scratch buffer (librdkafka copies the
 * bytes on produce(), so the memory can be reused at once), stringifying only the URL and host per line
 * (the rest is the same line after line; measured: a third of JSON.stringify's cost per envelope).
 */
import type { UrlEnvelope } from './types.js';

export class EnvelopeEncoder {
  private scratch = Buffer.allocUnsafe(64 * 1024);
  // The JSON after the host, reused while customer, priority, time and attempt stay the same (in a plain-text
  // input they are the same for every line).
  private tail = '';
  private tailOf: Pick<UrlEnvelope, 'customer_id' | 'priority' | 'discovered_at' | 'attempt'> | undefined;

  /** The envelope's JSON as UTF-8 (the bytes of JSON.stringify(envelope)), valid until the next call. */
  encode(envelope: UrlEnvelope): Buffer {
    const tail = this.tailFor(envelope);
    // A crawl envelope's referrer and seed change with every page: stringified each time (they are URLs, like url).
    const json = envelope.crawl_id === undefined
      ? `{"url":${JSON.stringify(envelope.url)},"host":${JSON.stringify(envelope.host)}${tail}}`
      : `{"url":${JSON.stringify(envelope.url)},"host":${JSON.stringify(envelope.host)}${tail}${crawlTail(envelope)}}`;
    // UTF-8 never takes more than 3 bytes per UTF-16 unit.
    if (json.length * 3 > this.scratch.length) this.scratch = Buffer.allocUnsafe(json.length * 3);
    const n = this.scratch.write(json, 0, 'utf8');
    return this.scratch.subarray(0, n);
  }

  private tailFor(e: UrlEnvelope): string {
    const t = this.tailOf;
    if (t === undefined || t.customer_id !== e.customer_id || t.priority !== e.priority || t.discovered_at !== e.discovered_at || t.attempt !== e.attempt) {
      const rest = { customer_id: e.customer_id, priority: e.priority, discovered_at: e.discovered_at, attempt: e.attempt };
      // JSON.stringify of the rest, without its braces: the numbers are whole (checked on input).
      this.tail = `,${JSON.stringify(rest).slice(1, -1)}`;
      this.tailOf = rest;
    }
    return this.tail;
  }
}

/** `,"crawl_id":...,"depth":N[,"referrer":...][,"seed":...][,"etag":...][,"last_modified":...]`: the fields in builder order (url-envelope.ts). */
function crawlTail(e: UrlEnvelope): string {
  let text = `,"crawl_id":${JSON.stringify(e.crawl_id)}`;
  if (e.depth !== undefined) text += `,"depth":${JSON.stringify(e.depth)}`;
  if (e.referrer !== undefined) text += `,"referrer":${JSON.stringify(e.referrer)}`;
  if (e.seed !== undefined) text += `,"seed":${JSON.stringify(e.seed)}`;
  if (e.etag !== undefined) text += `,"etag":${JSON.stringify(e.etag)}`;
  if (e.last_modified !== undefined) text += `,"last_modified":${JSON.stringify(e.last_modified)}`;
  return text;
}
