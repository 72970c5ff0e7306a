/**
 * With --json, a command that fails still writes one JSON object on stdout, so that a script reading stdout never
 * parses an empty string: what failed, the exit code and what that code means. The one-line message still goes
 * to stderr as without --json. Pure.
 */

/** What each exit code means, as `--help` and the README describe them (lag's 1–3 are its own: see below). */
const MEANINGS: Record<number, string> = {
  1: 'failure: the environment failed (a broker, Redis or a file); retrying later may succeed',
  2: 'usage: a flag, setting or input is wrong; fix the command line',
};

/** `kscrape lag` speaks the Nagios convention: 3 is UNKNOWN, also for its usage errors. */
const LAG_MEANINGS: Record<number, string> = { 3: 'UNKNOWN: lag could not be read, or a usage error' };

export interface Failure {
  /** The command that ran (`check`, `produce`, ...); undefined when the command line named none. */
  command: string | undefined;
  /** Stable machine-readable code, for example `kafka.unreachable` or `usage`. */
  code: string;
  message: string;
  exitCode: number;
}

export function failureJson(f: Failure): string {
  const meaning = (f.command === 'lag' ? LAG_MEANINGS[f.exitCode] : undefined) ?? MEANINGS[f.exitCode] ?? 'failure';
  return `${JSON.stringify({ ok: false, command: f.command ?? null, error: { code: f.code, message: f.message }, exit_code: f.exitCode, exit_meaning: meaning })}\n`;
}

/** True when the command line asks for --json (before a `--` that ends the options). */
export function wantsJson(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).includes('--json');
}
