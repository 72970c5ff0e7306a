/**
 * Splits a byte stream into lines with a hard cap on line length, so one enormous "line" (a binary file, a
 * missing newline) cannot grow memory: past the cap only a short prefix is kept and the line is reported as
 * overlong. `\n` ends a line; a `\r` before it is dropped (CRLF files); a UTF-8 byte-order mark at the start of
 * the stream is dropped. Bytes that are not UTF-8 become U+FFFD, which the URL validator refuses.
 */

export interface OverlongLine {
  overlong: true;
  /** The first bytes of the line, decoded, for the rejects file. */
  prefix: string;
  /** The line's full length in bytes. */
  bytes: number;
}

export type SplitLine = string | OverlongLine;

const NEWLINE = 0x0a;
const CR = 0x0d;
const PREFIX_BYTES = 256;

export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private overlong = false;
  private overlongPrefix = '';
  private atStart = true;

  constructor(private readonly maxLineBytes: number) {}

  /** The complete lines in `chunk` (plus the carried start of the first one). */
  push(chunk: Buffer): SplitLine[] {
    if (this.atStart) {
      this.atStart = false;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    const lines: SplitLine[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      lines.push(this.finish(chunk, start, nl));
      start = nl + 1;
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
    return lines;
  }

  /** The last line when the stream does not end with a newline. */
  end(): SplitLine[] {
    if (this.carryBytes === 0 && !this.overlong) return [];
    return [this.finish(Buffer.alloc(0), 0, 0)];
  }

  private finish(chunk: Buffer, start: number, end: number): SplitLine {
    const length = this.carryBytes + (end - start);
    if (this.overlong || length > this.maxLineBytes) {
      const prefix = this.overlong ? this.overlongPrefix : Buffer.concat([...this.carry, chunk.subarray(start, end)]).toString('utf8', 0, PREFIX_BYTES);
      this.reset();
      return { overlong: true, prefix, bytes: length };
    }
    let line: Buffer;
    if (this.carry.length === 0) {
      line = chunk.subarray(start, end);
    } else {
      line = Buffer.concat([...this.carry, chunk.subarray(start, end)]);
      this.reset();
    }
    const trimmedEnd = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
    return line.toString('utf8', 0, trimmedEnd);
  }

  private keep(part: Buffer): void {
    if (this.overlong) {
      this.carryBytes += part.length;
      return;
    }
    // Copy: the caller's chunk may be reused by the stream.
    this.carry.push(Buffer.from(part));
    this.carryBytes += part.length;
    if (this.carryBytes > this.maxLineBytes) {
      this.overlongPrefix = Buffer.concat(this.carry).toString('utf8', 0, PREFIX_BYTES);
      this.overlong = true;
      this.carry = [];
    }
  }

  private reset(): void {
    this.carry = [];
    this.carryBytes = 0;
    this.overlong = false;
    this.overlongPrefix = '';
  }
}
