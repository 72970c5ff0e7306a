/**
 * Rows in PostgreSQL's COPY text format (pure): one line per row, tab-separated, `\N` for NULL, backslash escapes
 * for backslash, newline, carriage return and tab. Text format because it is the cheapest for the server to parse
 * and needs no quoting rules beyond these four characters.
 */
import type { CellValue, Row } from './row-mapping.js';

export function copyLine(row: Row): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    if (i) line += '\t';
    line += copyCell(row[i] ?? null);
  }
  return `${line}\n`;
}

export function copyCell(value: CellValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return value.toISOString();
  return escapeText(typeof value === 'string' ? value : JSON.stringify(value));
}

const SPECIAL = /[\\\n\r\t]/;

function escapeText(text: string): string {
  if (!SPECIAL.test(text)) return text;
  return text.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

/** The rows as one COPY payload. */
export function copyPayload(rows: readonly Row[]): string {
  let out = '';
  for (const row of rows) out += copyLine(row);
  return out;
}
