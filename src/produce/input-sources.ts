/**
 * Where produce reads from: files and/or stdin (`-`), one after the other, streamed chunk by chunk, so memory
 * does not depend on input size. The caller handles a chunk's lines before the next chunk is read.
 */
import { accessSync, constants, createReadStream } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { KscrapeError, UserError, errorMessage } from '../errors.js';
import { LineSplitter, type SplitLine } from './line-splitter.js';

export const STDIN = '-';

/** Longest line read; a longer one is refused as too long without being held in memory. */
export const MAX_LINE_BYTES = 64 * 1024;

export function checkInputs(inputs: readonly string[]): string[] {
  const sources = inputs.length ? [...inputs] : [STDIN];
  if (sources.filter((s) => s === STDIN).length > 1) throw new UserError('stdin (-) can be given only once', 'produce.bad-input');
  for (const source of sources) {
    if (source === STDIN) continue;
    try {
      accessSync(source, constants.R_OK);
    } catch (err) {
      throw new UserError(`cannot read input file ${source}: ${errorMessage(err)}`, 'produce.bad-input');
    }
  }
  return sources;
}

/** Next to the first input file, else in the working folder; unique per run. */
export function defaultFallbackPath(sources: readonly string[], now: Date, pid: number, cwd = process.cwd()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const file = sources.find((s) => s !== STDIN);
  const name = `${file ? basename(file) : 'kscrape'}.fallback-${stamp}-${pid}.jsonl`;
  return file ? join(dirname(resolve(file)), name) : join(cwd, name);
}

export interface ReadOptions {
  stdin: NodeJS.ReadableStream;
  /** Checked before every chunk; true stops reading (the rest of the input stays unread). */
  stopped: () => boolean;
  onLines: (lines: SplitLine[]) => Promise<void>;
}

/** Reads one source to its end (or until stopped). Returns whether it was read completely. */
export async function readSource(source: string, opts: ReadOptions): Promise<boolean> {
  const stream = source === STDIN ? opts.stdin : createReadStream(source, { highWaterMark: 256 * 1024 });
  const splitter = new LineSplitter(MAX_LINE_BYTES);
  try {
    for await (const chunk of stream) {
      if (opts.stopped()) return false;
      await opts.onLines(splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)));
    }
  } catch (err) {
    if (err instanceof KscrapeError) throw err;
    // A signal handler may destroy stdin to end a read that would otherwise wait for input forever.
    if (opts.stopped()) return false;
    throw new UserError(`cannot read ${source === STDIN ? 'stdin' : source}: ${errorMessage(err)}`, 'produce.bad-input', err);
  }
  if (opts.stopped()) return false;
  await opts.onLines(splitter.end());
  return true;
}
