/**
 * Parsers for the units users type in flags: durations (`1.5s`, `30m`), rates (`4/s`, `120/m`) and sizes
 * (`1MiB`, `512k`). Each throws a UserError naming the flag, so bad input is one clear line.
 */
import { UserError } from './errors.js';

const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `250ms`, `1.5s`, `30m`, `2h`, `7d`; a bare number is milliseconds. */
export function parseDuration(text: string, flag = 'duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!m) throw new UserError(`${flag}: '${text}' is not a duration (examples: 500ms, 1.5s, 30m, 2h, 7d)`, 'usage.bad-duration');
  return Math.round(Number(m[1]) * (DURATION_MS[(m[2] ?? 'ms').toLowerCase()] ?? 1));
}

/**
 * A duration as a user would type it for a flag, exact (parseDuration gives `ms` back): whole hours as `2h`,
 * whole seconds as `30s` (also `60s`: flag defaults read in seconds below an hour), else `250ms`.
 */
export function durationText(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms > 0 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

const MiB = 1024 * 1024;

/**
 * A setting's default as the text a user types for its flag, for commander's `.default(...)` (and so `--help`):
 * a setting named `...Ms` as a duration (`5s`), `...Bytes` as MiB when whole (`32MiB`), anything else as it is.
 * The flag parsers read it back to exactly the value.
 */
export function flagText(key: string, value: number | string | boolean): string {
  if (key.endsWith('Ms')) return durationText(value as number);
  if (key.endsWith('Bytes')) return (value as number) % MiB === 0 ? `${(value as number) / MiB}MiB` : String(value);
  return String(value);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)}m`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)}h`;
  return `${(ms / 86_400_000).toFixed(1)}d`;
}

/** A rate as requests per second: `4/s`, `120/m`, `1/1.5s`, `3600/h`. */
export function parseRate(text: string, flag = 'rate'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)?\s*(ms|s|m|h|d)\s*$/i.exec(text);
  if (!m) throw new UserError(`${flag}: '${text}' is not a rate (examples: 4/s, 120/m, 1/1.5s)`, 'usage.bad-rate');
  const count = Number(m[1]);
  const periodMs = Number(m[2] ?? 1) * (DURATION_MS[(m[3] ?? 's').toLowerCase()] ?? 1000);
  if (count <= 0 || periodMs <= 0) throw new UserError(`${flag}: '${text}' must be a positive rate`, 'usage.bad-rate');
  return (count * 1000) / periodMs;
}

const SIZE_BYTES: Record<string, number> = {
  b: 1, k: 1024, kb: 1000, kib: 1024, m: 1024 ** 2, mb: 1000 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1000 ** 3, gib: 1024 ** 3,
};

/** `1048576`, `512k`, `1MiB`, `10MB` (k/M/G alone are binary, as in most CLI tools). */
export function parseSize(text: string, flag = 'size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = SIZE_BYTES[(m?.[2] || 'b').toLowerCase()];
  if (!m || unit === undefined) throw new UserError(`${flag}: '${text}' is not a size (examples: 65536, 512k, 1MiB)`, 'usage.bad-size');
  return Math.round(Number(m[1]) * unit);
}

/** A positive integer flag value. */
export function parsePositiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UserError(`${flag}: '${text}' must be a positive whole number`, 'usage.bad-number');
  return n;
}
