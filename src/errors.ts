/**
 * One error module for the whole tool. Code decides on `code` and `retriable`, never on message text.
 * A `UserError` is the user's to fix: the CLI prints its one-line message and no stack.
 */

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
} as const;

export class KscrapeError extends Error {
  /** Stable, machine-readable identifier (for example `config.invalid-property`). */
  readonly code: string;
  /** True when repeating the same operation later may succeed. */
  readonly retriable: boolean;
  /** Process exit status when this error ends the command. */
  readonly exitCode: number;

  constructor(message: string, opts: { code: string; retriable?: boolean; exitCode?: number; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = opts.code;
    this.retriable = opts.retriable ?? false;
    this.exitCode = opts.exitCode ?? ExitCode.failure;
  }
}

/** Bad flags, bad config files, bad input: printed as one line, exit 2. */
export class UserError extends KscrapeError {
  constructor(message: string, code = 'usage', cause?: unknown) {
    super(message, { code, exitCode: ExitCode.usage, cause });
  }
}

/** The environment failed us (broker unreachable, delivery failed): one line, exit 1. */
export class RuntimeFailure extends KscrapeError {
  constructor(message: string, code: string, opts: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, { code, exitCode: ExitCode.failure, ...opts });
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
