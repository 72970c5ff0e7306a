/**
 * Reads a (decompressed) body stream up to a byte cap. Holds at most the cap plus the chunk that crossed it,
 * and stops reading there: leaving the loop destroys the stream, which closes the connection, so a huge or
 * endless body (or a compression bomb, counted after decompression) costs no more than the cap.
 */
import type { Readable } from 'node:stream';

export interface CappedBody {
  body: Buffer;
  /** Bytes kept (≤ cap). */
  bytes: number;
  /** More bytes followed the cap. */
  truncated: boolean;
}

export async function readCapped(stream: Readable, maxBytes: number): Promise<CappedBody> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let truncated = false;
  for await (const chunk of stream) {
    const buf: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    const room = maxBytes - kept;
    if (buf.length > room) {
      if (room > 0) chunks.push(buf.subarray(0, room));
      kept += Math.max(0, room);
      truncated = true;
      break;
    }
    chunks.push(buf);
    kept += buf.length;
  }
  if (truncated) stream.destroy();
  return { body: Buffer.concat(chunks, kept), bytes: kept, truncated };
}
