/**
 * A command that has ended ends its process within a bound, whatever native thread is still busy.
 *
 * Why a bound is needed: Node ends when its event loop is empty, and both that end and `process.exit` join
 * libuv's thread pool (uv_library_shutdown). A native client call that never returns holds a pool thread, so the
 * loop never empties and `process.exit` blocks in the join. Seen with gdb after a group coordinator was killed:
 * rd_kafka_send_offsets_to_transaction waiting for good despite its timeout, and rd_kafka_destroy of the same
 * producer (a disconnect kscrape had given up on) waiting for it; an `--eos` worker that had committed
 * everything and logged `done` stayed for good after SIGTERM (RELIABILITY.md, "On a 3-broker cluster").
 *
 * What ends it: SIGKILL sent to itself, the one end no native thread can hold. It is taken only after
 * `graceMs`, and said on stderr with what still held the process. Why that is safe: the command has already
 * returned, so every result it reported was delivered and every offset it committed was committed after its
 * results were (at-least-once: a record not confirmed was never committed, so it is redelivered); with --eos a
 * transaction left open is aborted by its coordinator after `transaction.timeout.ms` or fenced by the worker's
 * next producer with the same transactional.id, and nothing of it is ever visible to read_committed readers.
 * The exit status is then that of a kill (137 in a shell), which says the end was not clean.
 */

export interface ExitBoundOptions {
  /** Time the process may take to end after the command returned. @default 15000 */
  graceMs?: number;
  /** Where the one line goes. */
  report: (line: string) => void;
  /** What still holds the event loop (Node's names: TCPWrap, Timeout, ...). */
  activeResources?: () => string[];
  /** The end that cannot block. */
  kill?: () => void;
}

export const EXIT_BOUND_DEFAULTS = {
  /** @default 15000 — longer than any disconnect deadline kscrape sets (10 s), so a clean close always wins. */
  graceMs: 15_000,
} as const;

/** Arms the bound; the timer does not itself keep the process alive. Returns a function that disarms it. */
export function boundExit(opts: ExitBoundOptions): () => void {
  const graceMs = opts.graceMs ?? EXIT_BOUND_DEFAULTS.graceMs;
  const activeResources = opts.activeResources ?? (() => process.getActiveResourcesInfo());
  const kill = opts.kill ?? (() => process.kill(process.pid, 'SIGKILL'));
  const timer = setTimeout(() => {
    opts.report(exitBoundLine(graceMs, activeResources()));
    kill();
  }, graceMs);
  timer.unref();
  return () => clearTimeout(timer);
}

/** The line said before the hard end: how long, and what still held the process (counted by kind). */
export function exitBoundLine(graceMs: number, resources: string[]): string {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r, (counts.get(r) ?? 0) + 1);
  const held = [...counts].map(([name, n]) => (n > 1 ? `${n}× ${name}` : name)).join(', ');
  const after = graceMs % 1000 === 0 ? `${graceMs / 1000} s` : `${graceMs} ms`;
  return `kscrape: the process did not end ${after} after the command finished `
    + `(still held by: ${held || 'native threads only'}); ending it with SIGKILL — what the command reported is `
    + 'delivered and committed; an open --eos transaction is aborted by the broker\n';
}
