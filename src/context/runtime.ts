/** What a command's action may report back to the CLI entry point besides throwing. */
export interface CommandRuntime {
  /** Exit status when the action returns normally (for example lag's WARN = 1). */
  setExitCode(code: number): void;
  /** Standard output, results only. */
  stdout: NodeJS.WritableStream;
}
