/**
 * Rows in PostgreSQL's COPY text format (pure): one line per row, tab-separated, `\N` for NULL, backslash escapes
 * for backslash, newline, carriage return and tab. Text format because it is the cheapest for the server to parse
 * and needs no quoting rules beyond these four characters.
 */
import type { CellValue, Row } from './row-mapping.js';

export function copyLine(row: Row): string {
  // Joined from an array, not built with +=: a += chain is a rope of ~50 pieces per row that V8 keeps (every cell
  // alive, traced by the collector) until something flattens it, and flattening 5 000 of them when a batch is
  // written cost more than building the lines (BENCHMARKS.md, "Sink", round 4). join makes one flat string.
  if (!row.length) return '\n';
  const cells = new Array<string>(row.length);
  for (let i = 0; i < row.length; i++) cells[i] = copyCell(row[i] ?? null);
  cells[row.length - 1] += '\n';
  return cells.join('\t');
}

export function copyCell(value: CellValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return isoTime(value.getTime());
  return escapeText(typeof value === 'string' ? value : JSON.stringify(value));
}

/** The two seconds last formatted by isoTime, with their text up to the milliseconds (most recent first). */
const cachedSeconds = [NaN, NaN];
const cachedPrefixes = ['', ''];

/**
 * Date#toISOString, with the text up to the second kept for the two seconds formatted last: a partition's records
 * come in time order, and a row has two times (fetched_at and the record's timestamp) that are usually in two
 * different seconds, so two entries are what makes most rows hit. toISOString was a third of the row's COPY text
 * CPU (BENCHMARKS.md, "Sink", round 4). The result is exactly toISOString's.
 */
export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  let prefix: string;
  if (second === cachedSeconds[0]) {
    prefix = cachedPrefixes[0]!;
  } else if (second === cachedSeconds[1]) {
    prefix = cachedPrefixes[1]!;
  } else {
    const full = new Date(ms).toISOString();
    // Years 0..9999 only ("YYYY-MM-DDTHH:MM:SS.mmmZ"); anything else is formatted whole, every time.
    if (full.length !== 24) return full;
    cachedSeconds[1] = cachedSeconds[0]!;
    cachedPrefixes[1] = cachedPrefixes[0]!;
    cachedSeconds[0] = second;
    cachedPrefixes[0] = full.slice(0, 20);
    return full;
  }
  const millis = ms - second * 1000;
  return `${prefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

const SPECIAL = /[\\\n\r\t]/;

function escapeText(text: string): string {
  if (!SPECIAL.test(text)) return text;
  return text.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

/** Lines of copyLine as one COPY payload. */
export function copyPayload(lines: readonly string[]): Buffer {
  return Buffer.from(lines.join(''));
}

const UNESCAPE: Record<string, string> = { '\\\\': '\\', '\\n': '\n', '\\r': '\r', '\\t': '\t' };

/**
 * A line of copyLine back as its cells, as text (`\N` → null): what a row refused by PostgreSQL looks like in
 * its errors record. The sink holds rows as their COPY lines only (a string each, far less for the collector to
 * trace than the row's cells), so this is where the cells come back from.
 */
export function cellsOfLine(line: string): (string | null)[] {
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  return body.split('\t').map((cell) => (cell === '\\N' ? null : cell.replace(/\\[\\nrt]/g, (e) => UNESCAPE[e]!)));
}
