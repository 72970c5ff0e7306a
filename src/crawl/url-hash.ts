/**
 * Where a URL lives in the crawl's dedupe store: a 64-bit hash of the normalized URL, split into a bucket (the
 * high `bucketBits` bits: which Redis hash) and a field (the other 64 - bucketBits bits: the key inside it).
 * Pure. The field is a decimal integer below 2^53, so Redis keeps it as an 8-byte integer in the listpack
 * rather than as text, and Lua reads it without losing bits.
 *
 * False positives: two URLs of one crawl share all 64 bits with probability ~ n / 2^64 per lookup (5.4e-12 at
 * n = 10^8); the expected number of colliding pairs in a 10^8-URL crawl is n^2 / 2^65 ≈ 2.7e-4. A collision
 * costs one URL not crawled.
 */
import { createHash } from 'node:crypto';

/** 2^17 buckets: ~76 URLs each at 10 M URLs, under Redis's default hash-max-listpack-entries (128). */
export const DEFAULT_BUCKET_BITS = 17;

export interface UrlSlot {
  /** Which bucket (0 .. 2^bucketBits - 1). */
  bucket: number;
  /** The rest of the hash as a decimal integer string (< 2^(64 - bucketBits) ≤ 2^53). */
  field: string;
}

export function urlSlot(url: string, bucketBits = DEFAULT_BUCKET_BITS): UrlSlot {
  if (bucketBits < 11 || bucketBits > 24) throw new RangeError(`bucketBits ${bucketBits} outside 11..24`);
  const digest = createHash('sha1').update(url).digest();
  const hi = digest.readUInt32BE(0);
  const lo = digest.readUInt32BE(4);
  const fieldHighBits = 32 - bucketBits;
  const bucket = hi >>> fieldHighBits;
  const high = hi & ((1 << fieldHighBits) - 1);
  // high < 2^21 at 11 bits, so high * 2^32 + lo < 2^53: exact as a double.
  return { bucket, field: String(high * 0x1_0000_0000 + lo) };
}

/** A page's owner token (1 .. 2^21 - 1) for its claims: a retry of the same page may claim its links again. */
export function ownerToken(url: string): number {
  const digest = createHash('sha1').update(url).digest();
  return (digest.readUInt32BE(8) % 0x1f_ffff) + 1;
}
