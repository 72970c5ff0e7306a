/**
 * Reads one sitemap body into the parser, chunk by chunk: gunzips it when it starts with gzip's magic bytes (a
 * `.xml.gz` served without Content-Encoding; got already undid a Content-Encoding), decodes UTF-8 across chunk
 * edges, and stops at the byte cap, counted after decompression so a gzip bomb costs no more than the cap.
 * After each chunk it awaits `drain`, so the entries a chunk produced are handled before more is read.
 */
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { TextDecoder } from 'node:util';
import { errorMessage } from '../errors.js';
import type { SitemapParser } from './parser.js';

export interface BodyOutcome {
  /** Decompressed bytes read. */
  bytes: number;
  /** Why reading stopped before the end: the byte cap, a parse error, or the caller's `stop()`. */
  stop?: { reason: 'size-cap' | 'parse' | 'stopped'; detail: string };
}

export interface ReadBodyOptions {
  maxBytes: number;
  /** Handles the entries parsed so far (back-pressure from the output). */
  drain(): Promise<void>;
  /** True: stop reading (a URL cap was reached). */
  stopped(): boolean;
}

export async function readSitemapBody(body: AsyncIterable<Buffer | string>, parser: SitemapParser, opts: ReadBodyOptions): Promise<BodyOutcome> {
  const decoder = new TextDecoder('utf-8');
  let bytes = 0;
  const feed = async (text: string): Promise<BodyOutcome['stop']> => {
    try {
      parser.write(text);
    } catch (err) {
      return { reason: 'parse', detail: errorMessage(err) };
    }
    await opts.drain();
    return opts.stopped() ? { reason: 'stopped', detail: 'cap reached' } : undefined;
  };
  try {
    for await (const chunk of decompressed(body)) {
      const room = opts.maxBytes - bytes;
      const buf = chunk.length > room ? chunk.subarray(0, room) : chunk;
      bytes += buf.length;
      const stop = await feed(decoder.decode(buf, { stream: true }));
      if (stop) return { bytes, stop };
      if (chunk.length > room) return { bytes, stop: { reason: 'size-cap', detail: `more than ${opts.maxBytes} bytes after decompression` } };
    }
  } catch (err) {
    // A corrupt gzip stream is a broken file; anything else (a reset mid-body) is the fetch's failure.
    if (typeof (err as { code?: unknown }).code === 'string' && (err as { code: string }).code.startsWith('Z_')) {
      return { bytes, stop: { reason: 'parse', detail: `gzip: ${errorMessage(err)}` } };
    }
    throw err;
  }
  const stop = await feed(decoder.decode());
  if (stop) return { bytes, stop };
  try {
    parser.end();
  } catch (err) {
    return { bytes, stop: { reason: 'parse', detail: errorMessage(err) } };
  }
  await opts.drain();
  return { bytes };
}

/** The body's bytes, gunzipped when they start with 1f 8b. Leaving the loop early destroys what is left. */
async function* decompressed(body: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  const it = body[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = toBuffer(first.value);
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    yield head;
    for (let n = await it.next(); !n.done; n = await it.next()) yield toBuffer(n.value);
    return;
  }
  const rest = Readable.from((async function* () {
    yield head;
    for (let n = await it.next(); !n.done; n = await it.next()) yield toBuffer(n.value);
  })());
  const gunzip = createGunzip();
  // pipeline destroys both sides when either fails or the consumer stops; the gunzip error reaches the loop.
  pipeline(rest, gunzip, () => undefined);
  for await (const chunk of gunzip) yield chunk as Buffer;
}

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}
