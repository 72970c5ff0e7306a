/**
 * Turns a field's raw text into its declared type. Pure. A value that does not convert is an issue for the
 * record's errors (the field is then null), never a thrown error: one odd price must not lose the page.
 */
import type { FieldType } from './rules-types.js';
import { resolveUrl } from './text.js';

export interface Price {
  amount: number;
  /** ISO 4217 code when the text says it (a code, or a symbol that names one currency); else null. */
  currency: string | null;
}

export type FieldValue = string | number | boolean | Price | null;

const SYMBOLS: Record<string, string> = { '$': 'USD', '€': 'EUR', '£': 'GBP', '¥': 'JPY', '₹': 'INR', '₩': 'KRW', '₽': 'RUB', '₺': 'TRY', '₪': 'ILS', 'zł': 'PLN', 'kr': 'SEK', 'Fr.': 'CHF' };

export function convert(raw: string, type: FieldType, baseUrl: string): { value: FieldValue } | { error: string } {
  switch (type) {
    case 'string':
      return { value: raw };
    case 'number': {
      const n = parseNumber(raw);
      return n === null ? { error: `'${clip(raw)}' is not a number` } : { value: n };
    }
    case 'integer': {
      const n = parseNumber(raw);
      return n === null || !Number.isInteger(n) ? { error: `'${clip(raw)}' is not an integer` } : { value: n };
    }
    case 'price': {
      const price = parsePrice(raw);
      return price ? { value: price } : { error: `'${clip(raw)}' is not a price` };
    }
    case 'url': {
      const url = resolveUrl(raw, baseUrl);
      return url ? { value: url } : { error: `'${clip(raw)}' is not a URL` };
    }
    case 'date': {
      const iso = parseDate(raw);
      return iso ? { value: iso } : { error: `'${clip(raw)}' is not a date` };
    }
    case 'boolean': {
      const t = raw.trim().toLowerCase();
      if (['true', 'yes', '1', 'on', 'instock', 'in stock'].includes(t)) return { value: true };
      if (['false', 'no', '0', 'off', 'outofstock', 'out of stock'].includes(t)) return { value: false };
      return { error: `'${clip(raw)}' is not a boolean` };
    }
  }
}

/**
 * A number as people write it: `1,299.99`, `1.299,99`, `1 299,99`, `-3`, `4.5e3`. The last of `.`/`,` is the
 * decimal mark when both appear; a lone `,` followed by exactly 1–2 digits is one too (`12,5`, `9,99`).
 */
export function parseNumber(raw: string): number | null {
  const match = /[-+]?\d[\d.,\s\u00a0\u202f'\u2019]*(?:[eE][-+]?\d+)?/.exec(raw);
  if (!match) return null;
  let text = match[0].replace(/[\s\u00a0\u202f'\u2019]/g, '');
  text = text.replace(/[.,]+$/, '');
  const lastDot = text.lastIndexOf('.');
  const lastComma = text.lastIndexOf(',');
  if (lastDot >= 0 && lastComma >= 0) {
    const decimal = lastDot > lastComma ? '.' : ',';
    const thousands = decimal === '.' ? ',' : '.';
    text = text.split(thousands).join('').replace(decimal, '.');
  } else if (lastComma >= 0) {
    const commas = text.split(',').length - 1;
    text = commas === 1 && /,\d{1,2}$/.test(text) ? text.replace(',', '.') : text.split(',').join('');
  } else if (lastDot >= 0 && text.split('.').length > 2) {
    text = text.split('.').join(''); // 1.299.000: dots as thousands separators
  }
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

export function parsePrice(raw: string): Price | null {
  const amount = parseNumber(raw);
  if (amount === null) return null;
  const code = /\b([A-Z]{3})\b/.exec(raw)?.[1] ?? null;
  let currency = code;
  if (!currency) {
    for (const [symbol, iso] of Object.entries(SYMBOLS)) {
      if (raw.includes(symbol)) {
        currency = iso;
        break;
      }
    }
  }
  return { amount, currency };
}

/** ISO 8601 (a date alone stays a date: `2026-11-03`); other forms Date can read become a UTC timestamp. */
export function parseDate(raw: string): string | null {
  const text = raw.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return Number.isNaN(Date.parse(text)) ? null : text;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
