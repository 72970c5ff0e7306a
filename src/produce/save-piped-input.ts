/**
 * When produce cannot start (the cluster unreachable, the topic missing, Redis away), no line has been read. An
 * input file is still on disk, but input piped in would be gone with the process: `curl … | kscrape produce`
 * would lose the list. So stdin is read to its end here, each line validated as a run would (refused lines to
 * --rejects), and the envelopes written to the fallback file, which `kscrape produce FILE` sends later: the same
 * file, in the same form, as a run whose broker failed half-way. A terminal is not read (nothing was typed yet).
 * SIGINT/SIGTERM stop the reading; what was read is kept and the message says the rest was not read.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { InputFormat, LineDefaults } from './input-line.js';
import { STDIN, readSource } from './input-sources.js';
import { JsonLinesFile } from './json-lines-file.js';
import { LineIntake } from './line-intake.js';
import { ProduceStats } from './produce-stats.js';

export interface SavePipedInputOptions {
  sources: readonly string[];
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  fallbackPath: string;
  rejectsPath: string | undefined;
  format: InputFormat;
  defaults: LineDefaults;
  logger: Logger;
  handleSignals: boolean;
}

export interface SavedInput {
  path: string;
  /** URLs written to the fallback file. */
  saved: number;
  /** Lines refused (to --rejects when given). */
  rejected: number;
  /** False when a signal stopped the reading before the end of the input. */
  complete: boolean;
}

/** Reads piped stdin into the fallback file (see the header); undefined when there is no piped input. */
export async function savePipedInput(o: SavePipedInputOptions): Promise<SavedInput | undefined> {
  if (!o.sources.includes(STDIN) || o.stdin.isTTY) return undefined;
  o.logger.warn(`produce could not start: saving its input to ${o.fallbackPath} (read to its end; Ctrl-C stops)`);
  const stats = new ProduceStats();
  const fallback = new JsonLinesFile(o.fallbackPath);
  const rejects = o.rejectsPath ? new JsonLinesFile(o.rejectsPath) : undefined;
  const intake = new LineIntake({ format: o.format, defaults: o.defaults, now: Date.now(), stats, rejects });
  intake.startSource(STDIN);
  let stopped = false;
  const onSignal = () => {
    stopped = true;
    (o.stdin as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  };
  if (o.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  let complete: boolean;
  try {
    complete = await readSource(STDIN, {
      stdin: o.stdin, stopped: () => stopped,
      onLines: async (lines) => { for (const envelope of await intake.envelopesOf(lines)) await fallback.write(envelope); },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await Promise.all([fallback.close(), rejects?.close()]);
  }
  return { path: o.fallbackPath, saved: fallback.count, rejected: stats.rejected, complete };
}

/** The start failure, its one line telling where the piped input went; the same code and exit status. */
export function withSavedInput(err: unknown, saved: SavedInput | undefined): unknown {
  if (!saved) return err;
  const where = saved.saved
    ? `the ${saved.saved} URLs of the input are in ${saved.path} (send them with: kscrape produce ${saved.path})`
    : 'the input held no URL';
  const rest = `${saved.rejected ? `; ${saved.rejected} lines refused` : ''}${saved.complete ? '' : '; stopped before the end of the input, the rest was not read'}`;
  const message = `${errorMessage(err)}; ${where}${rest}`;
  // The same error (class, code, exit status) with the longer message: callers decide on the class and code.
  if (err instanceof Error) {
    err.message = message;
    return err;
  }
  return new Error(message);
}
