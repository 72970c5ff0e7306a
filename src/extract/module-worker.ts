/**
 * A --module's thread (started by module-pool.ts): it loads the module and the rules itself (compiled selectors
 * cannot be sent between threads), and for each page does the whole extraction there, so the page is parsed
 * once and the module gets the very document the rules read. It tells the main thread when the module starts,
 * which bounds the module from then on: code that never yields blocks this thread only, and is terminated.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import type { PageRecord } from '../records/index.js';
import { loadExtractModule } from './module-runner.js';
import { extractPageOutcome, type PageOutcome } from './page-outcome.js';
import { loadRulesFile } from './rules-loader.js';

export interface ModuleWorkerData {
  modulePath: string;
  rulesPath: string | undefined;
  timeoutMs: number;
}

export interface ToModuleWorker { id: number; page: PageRecord }
export type FromModuleWorker = { id: number; started: true } | { id: number; outcome: PageOutcome };

const data = workerData as ModuleWorkerData;
const port = parentPort!;
const ready = Promise.all([loadExtractModule(data.modulePath), data.rulesPath ? loadRulesFile(data.rulesPath) : undefined]);
// Awaited per page; a failure is that page's answer (below), never an unhandled rejection that kills the thread.
ready.catch(() => undefined);

port.on('message', (message: ToModuleWorker) => void extract(message));

async function extract({ id, page }: ToModuleWorker): Promise<void> {
  let outcome: PageOutcome;
  try {
    const [mod, rules] = await ready;
    outcome = await extractPageOutcome(page, rules, { fn: mod.fn, timeoutMs: data.timeoutMs, onStart: () => port.postMessage({ id, started: true }) });
  } catch (err) {
    outcome = { kind: 'failed', message: `the module could not be loaded in its thread: ${errorMessage(err)}` };
  }
  answer(id, outcome);
}

function answer(id: number, outcome: PageOutcome): void {
  try {
    port.postMessage({ id, outcome });
  } catch {
    // A value the structured clone cannot carry (a function, a symbol): sent as the record would write it (JSON),
    // which is what the module's value became when it ran in the main thread.
    try {
      port.postMessage({ id, outcome: JSON.parse(JSON.stringify(outcome)) as PageOutcome });
    } catch (err) {
      port.postMessage({ id, outcome: { kind: 'failed', message: `the module returned a value that cannot be written: ${errorMessage(err)}` } });
    }
  }
}
