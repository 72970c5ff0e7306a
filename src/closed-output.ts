/**
 * A reader that stops early (`kscrape topics list --json | head -1`) is not an error. Node ignores SIGPIPE, so a
 * write to a closed pipe surfaces as an EPIPE 'error' event, which unhandled prints a stack trace. Instead the
 * process ends at once, quietly, with the status it had so far (0 for --help), as kcat does: nobody reads the
 * rest, and every command's state is safe at any instant (produce's summary is its last write; dlq retry and the
 * worker are safe against a kill). Any other output error (a full disk) is one line and status 1.
 */
export function isClosedPipe(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

export interface ClosedOutputOptions {
  exitCode: () => number;
  exit?: (code: number) => void;
  /** Where to say that output failed for another reason. */
  report?: (line: string) => void;
}

export function exitQuietlyOnClosedOutput(streams: NodeJS.WritableStream[], opts: ClosedOutputOptions): void {
  const exit = opts.exit ?? ((c: number) => process.exit(c));
  for (const stream of streams) {
    stream.on('error', (err: unknown) => {
      if (isClosedPipe(err)) return exit(opts.exitCode());
      try {
        opts.report?.(`kscrape: cannot write output: ${(err as Error)?.message ?? String(err)}\n`);
      } finally {
        exit(1);
      }
    });
  }
}
