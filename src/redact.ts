/**
 * Secrets never reach any output. Two layers:
 * 1. `redactConfig` masks values whose key names a secret, for config dumps.
 * 2. `scrubSecrets` removes every secret value registered so far from free text (log lines, error
 *    messages from librdkafka or ioredis), because libraries sometimes echo the values they were given.
 */

export const REDACTED = '[redacted]';

const SECRET_KEY = /(password|passwd|secret|token|jaas|credential|private|basic\.auth\.user\.info|\.pem$|oauthbearer\.config)/i;

// A value shorter than this would scrub ordinary words out of messages; no real secret is that short.
const MIN_SECRET_LENGTH = 4;

const knownSecrets = new Set<string>();

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Remember a secret value so that it is scrubbed from every later line of output. */
export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= MIN_SECRET_LENGTH) knownSecrets.add(value);
}

/** Registers the values of every secret-named key of a config. */
export function registerConfigSecrets(config: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(config)) {
    if (isSecretKey(key) && typeof value === 'string') {
      registerSecret(value);
      for (const inner of jaasSecrets(value)) registerSecret(inner);
    }
  }
}

/** Passwords quoted inside a JAAS line (`password="..."`), which also appear alone in other messages. */
function jaasSecrets(value: string): string[] {
  return [...value.matchAll(/(?:password|secret|token)\s*=\s*"([^"]*)"/gi)].map((m) => m[1] ?? '');
}

export function redactConfig<T extends Record<string, unknown>>(config: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    out[key] = isSecretKey(key) && value !== undefined && value !== '' ? REDACTED : value;
  }
  return out;
}

/** Masks the password of a URL's user-info (redis://user:pass@host). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@/\s]+@/i, `$1${REDACTED}@`);
}

/**
 * Masks the password of a PostgreSQL connection string, in URL form (`postgres://u:pw@h/db`) or keyword form
 * (`host=h password=pw` or `password='p w'`).
 */
export function redactDsn(dsn: string): string {
  return redactUrl(dsn).replace(/(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s']+)/gi, `$1${REDACTED}`);
}

export function scrubSecrets(text: string): string {
  let out = redactUrlsIn(text);
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

function redactUrlsIn(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:[^\s@/]+@/gi, (m) => redactUrl(m));
}

/** For tests: forget registered secrets. */
export function clearRegisteredSecrets(): void {
  knownSecrets.clear();
}
