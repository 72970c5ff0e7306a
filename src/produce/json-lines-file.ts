/**
 * An append-only JSON-lines file, opened on first flush (a run with nothing to record leaves no file) and
 * synced to disk on close: the fallback file may be the only copy of a URL. Records are buffered; a caller that
 * awaits `write` waits for the disk when the buffer is full, so a slow disk slows the run instead of growing
 * memory. Flushes run one at a time, in order.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { RuntimeFailure, errorMessage } from '../errors.js';

const BUFFER_CHARS = 256 * 1024;

export class JsonLinesFile {
  private handle: FileHandle | undefined;
  private buffer: string[] = [];
  private bufferedChars = 0;
  private flushing: Promise<void> = Promise.resolve();
  /** Records written (including those still buffered). */
  count = 0;

  constructor(readonly path: string) {}

  write(record: unknown): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    this.buffer.push(line);
    this.bufferedChars += line.length;
    this.count++;
    return this.bufferedChars >= BUFFER_CHARS ? this.flush() : Promise.resolve();
  }

  flush(): Promise<void> {
    if (this.buffer.length === 0) return this.flushing;
    const text = this.buffer.join('');
    this.buffer = [];
    this.bufferedChars = 0;
    this.flushing = this.flushing.then(() => this.append(text));
    return this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
    if (!this.handle) return;
    const handle = this.handle;
    this.handle = undefined;
    await handle.sync();
    await handle.close();
  }

  private async append(text: string): Promise<void> {
    try {
      this.handle ??= await open(this.path, 'a');
      await this.handle.write(text);
    } catch (err) {
      throw new RuntimeFailure(`cannot write ${this.path}: ${errorMessage(err)}`, 'produce.file-write', { cause: err });
    }
  }
}
