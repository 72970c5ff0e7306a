/**
 * Diagnostics go to stderr, results to stdout. Every line written here passes through the secret
 * scrubber, so a password that reaches an error message from a client library is still not printed.
 */
import { scrubSecrets } from './redact.js';

export type LogLevel = 'quiet' | 'normal' | 'verbose';

export interface Logger {
  /** Always shown, even with --quiet: the reason a command failed. */
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  /** Only with --verbose. */
  debug(message: string): void;
  readonly level: LogLevel;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to process.stderr. */
  write?: (line: string) => void;
}

export function createLogger({ level = 'normal', write }: LoggerOptions = {}): Logger {
  const out = write ?? ((line: string) => void process.stderr.write(line));
  const emit = (prefix: string, message: string) => out(`${prefix}${scrubSecrets(message)}\n`);
  return {
    level,
    error: (m) => emit('kscrape: ', m),
    warn: (m) => level !== 'quiet' && emit('kscrape: warning: ', m),
    info: (m) => level !== 'quiet' && emit('', m),
    debug: (m) => level === 'verbose' && emit('debug: ', m),
  };
}
