/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. */

/**
 * Milliseconds to wait from `nowMs`, or undefined when the header is missing or unreadable. A date in the
 * past gives 0. Capped at `maxMs` so one odd header cannot park a URL for a year.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number, maxMs = 86_400_000): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, maxMs);
  // Only the date forms HTTP allows (IMF-fixdate and the two obsolete ones) start with a weekday name.
  if (!/^[A-Za-z]{3,9},? /.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - nowMs), maxMs);
}
