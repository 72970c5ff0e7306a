/**
 * What a hand-over tells the next owner of a partition. The commit position is the lowest unfinished offset,
 * but URLs finish out of order (each host at its own pace), so above that position there are URLs already
 * fetched and delivered. Committed as they are, the next owner would fetch them again: the "4 % duplicates"
 * of two workers started together. Kafka stores a free-text metadata string with each committed offset; kscrape
 * writes there which offsets above the position are finished, and the next owner skips them.
 *
 * Format: `kf1:<position>:<gap>.<length>,...` in base 36, each range's gap counted from the end of the previous
 * one (the first from the position). Cut to `MAX_METADATA_CHARS` by leaving out the highest ranges: skipping
 * fewer is at worst a repeated fetch, never a lost URL. A string that does not parse, or was written for
 * another position, skips nothing.
 */

/**
 * Longest metadata written: under the broker's `offset.metadata.max.bytes` (4096 by default), with room to spare.
 * @default 3000
 */
export const MAX_METADATA_CHARS = 3_000;

const PREFIX = 'kf1:';
const RANGE = /^[0-9a-z]{1,8}\.[0-9a-z]{1,4}$/;

/** Pure: the metadata for `position` and the finished offsets above it (ascending, all > position). */
export function encodeFinishedAbove(position: number, finished: readonly number[], maxChars = MAX_METADATA_CHARS): string {
  let text = `${PREFIX}${position.toString(36)}:`;
  let end = position;
  let i = 0;
  let first = true;
  while (i < finished.length) {
    const start = finished[i]!;
    let length = 1;
    while (i + length < finished.length && finished[i + length] === start + length) length++;
    const range = `${first ? '' : ','}${(start - end).toString(36)}.${length.toString(36)}`;
    if (text.length + range.length > maxChars) break;
    text += range;
    first = false;
    end = start + length;
    i += length;
  }
  return text;
}

/** Pure: the finished offsets recorded for `committedOffset`, or an empty set. */
export function decodeFinishedAbove(metadata: string | null | undefined, committedOffset: number): Set<number> {
  const skip = new Set<number>();
  if (!metadata?.startsWith(PREFIX)) return skip;
  const [positionText, ranges = ''] = metadata.slice(PREFIX.length).split(':');
  if (parseInt(positionText ?? '', 36) !== committedOffset) return skip;
  let end = committedOffset;
  for (const range of ranges ? ranges.split(',') : []) {
    if (!RANGE.test(range)) return new Set();
    const [gap, length] = range.split('.').map((n) => parseInt(n, 36));
    if (!Number.isInteger(gap) || !Number.isInteger(length) || gap! < 0 || length! < 1 || length! > 1_000_000) return new Set();
    const start = end + gap!;
    for (let o = start; o < start + length!; o++) skip.add(o);
    end = start + length!;
  }
  return skip;
}
