/**
 * The threads a --module runs in. In the main thread, a module stuck in a synchronous loop would block the event
 * loop and with it the consumer; in a worker thread it blocks that thread only. Each thread takes one page at a
 * time (module-worker.ts); when its module has run longer than the timeout (its own timer answers a promise that
 * never settles, the main thread's timer answers code that never yields), the thread is terminated, the page
 * fails (extract-failed) and a fresh thread takes its place. A thread that dies (an exception thrown outside the
 * module's call, process.exit) fails its page the same way. Every wait is bounded.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PageRecord } from '../records/index.js';
import type { FromModuleWorker, ModuleWorkerData, ToModuleWorker } from './module-worker.js';
import type { PageOutcome } from './page-outcome.js';

export interface ModulePoolOptions {
  modulePath: string;
  rulesPath: string | undefined;
  timeoutMs: number;
  /** Threads; see moduleThreads. */
  size: number;
  /** The compiled thread module; default: the one beside this file. */
  workerModule?: URL;
}

/** One thread per page extracted at once, no more than the cores: parsing and most modules are CPU-bound. */
export function moduleThreads(concurrency: number): number {
  return Math.max(1, Math.min(concurrency, availableParallelism()));
}

/** Time for the thread to load the module, parse the page and apply the rules before the module starts. */
const BEFORE_MODULE_MS = 30_000;
/** The thread's own timer answers a module that awaits forever; the main thread's, a little later, one that never yields. */
const GRACE_MS = 250;
const RESPAWN_PAUSE_MS = 1_000;

interface Task {
  id: number;
  page: PageRecord;
  resolve(outcome: PageOutcome): void;
}

interface Slot {
  worker: Worker;
  task?: Task;
  timer?: NodeJS.Timeout;
  gone: boolean;
}

export class ModulePool {
  private readonly slots = new Set<Slot>();
  private idle: Slot[] = [];
  private waiting: Task[] = [];
  private nextId = 1;
  private closed = false;
  /** Threads replaced after a timeout or a crash (for the tests and the debug log). */
  replaced = 0;

  constructor(private readonly opts: ModulePoolOptions) {
    for (let i = 0; i < opts.size; i++) this.idle.push(this.spawn());
  }

  /** The page's outcome; never rejects. */
  run(page: PageRecord): Promise<PageOutcome> {
    if (this.closed) return Promise.resolve({ kind: 'failed', message: 'the module threads are closed (shutting down)' });
    return new Promise((resolve) => {
      this.waiting.push({ id: this.nextId++, page, resolve });
      this.pump();
    });
  }

  /** Terminates every thread; a page still waiting or running fails (it stays uncommitted only if not routed). */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.waiting) task.resolve({ kind: 'failed', message: 'the module threads are closed (shutting down)' });
    this.waiting = [];
    const slots = [...this.slots];
    this.slots.clear();
    this.idle = [];
    await Promise.all(slots.map((slot) => {
      slot.gone = true;
      clearTimeout(slot.timer);
      slot.task?.resolve({ kind: 'failed', message: 'the module threads are closed (shutting down)' });
      return slot.worker.terminate();
    }));
  }

  private spawn(): Slot {
    const workerData: ModuleWorkerData = { modulePath: this.opts.modulePath, rulesPath: this.opts.rulesPath, timeoutMs: this.opts.timeoutMs };
    const worker = new Worker(this.opts.workerModule ?? new URL('./module-worker.js', import.meta.url), { workerData });
    const slot: Slot = { worker, gone: false };
    this.slots.add(slot);
    worker.on('message', (message: FromModuleWorker) => {
      const { task } = slot;
      if (!task || message.id !== task.id) return;
      if ('started' in message) {
        this.arm(slot, this.opts.timeoutMs + GRACE_MS, `the module took longer than ${this.opts.timeoutMs} ms (it did not yield; its thread was replaced)`);
        return;
      }
      clearTimeout(slot.timer);
      slot.task = undefined;
      task.resolve(message.outcome);
      this.idle.push(slot);
      this.pump();
    });
    worker.on('error', (err) => this.replace(slot, `the module's thread failed: ${err.message}`));
    worker.on('exit', (code) => this.replace(slot, `the module's thread exited (code ${code})`));
    return slot;
  }

  private pump(): void {
    while (!this.closed && this.idle.length && this.waiting.length) {
      const slot = this.idle.pop()!;
      const task = this.waiting.shift()!;
      slot.task = task;
      this.arm(slot, BEFORE_MODULE_MS + this.opts.timeoutMs, `extraction took longer than ${BEFORE_MODULE_MS + this.opts.timeoutMs} ms before the module finished (its thread was replaced)`);
      slot.worker.postMessage({ id: task.id, page: task.page } satisfies ToModuleWorker);
    }
  }

  private arm(slot: Slot, ms: number, message: string): void {
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => this.replace(slot, message), ms);
  }

  /** Fails the slot's page with `message`, terminates the thread and starts a fresh one. Once per slot. */
  private replace(slot: Slot, message: string): void {
    if (slot.gone || this.closed) return;
    slot.gone = true;
    clearTimeout(slot.timer);
    this.slots.delete(slot);
    this.idle = this.idle.filter((s) => s !== slot);
    const hadPage = slot.task !== undefined;
    slot.task?.resolve({ kind: 'failed', message });
    slot.task = undefined;
    void slot.worker.terminate();
    this.replaced++;
    // A thread that died without a page (at its start) is replaced after a pause, not in a tight loop.
    const respawn = () => {
      if (this.closed) return;
      this.idle.push(this.spawn());
      this.pump();
    };
    if (hadPage) respawn();
    else setTimeout(respawn, RESPAWN_PAUSE_MS);
  }
}
