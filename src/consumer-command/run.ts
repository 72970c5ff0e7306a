/**
 * The frame around a long-running consumer command's run (`work`, `extract`, `sink postgres`): what it opens is
 * closed newest first however the run ends, the summary goes to stdout with --json, and a failure that is
 * neither the user's nor an expected runtime failure is reported as `<command>.failed`. Also the start-up
 * steps they share: the worker id, the admin client and the check that the topics exist.
 */
import { hostname } from 'node:os';
import type { GlobalContext } from '../context/global-context.js';
import type { CommandRuntime } from '../context/runtime.js';
import { withDeadline } from '../deadline.js';
import { ExitCode, RuntimeFailure, UserError, errorMessage } from '../errors.js';
import { connectAdmin, createProducer, type Admin, type KafkaConfig, type Producer } from '../kafka/index.js';

export type Cleanup = () => Promise<unknown> | void;

/** What a run has opened, closed in reverse order; a failing close does not keep the others open. */
export class Cleanups {
  private steps: Cleanup[] = [];

  push(step: Cleanup): void {
    this.steps.push(step);
  }

  /** Closes everything pushed so far, newest first; a second call closes only what was pushed since. */
  async closeAll(): Promise<void> {
    const steps = this.steps.reverse();
    this.steps = [];
    for (const step of steps) await Promise.resolve(step()).catch(() => undefined);
  }
}

/** The run's summary, or what reads it once everything is closed (when the closing belongs in its figures). */
export type Summary = object | (() => object);

/**
 * Runs `body`, which opens what it needs (registering each close in `cleanups`) and resolves with the run's
 * summary once the consumer is done; then everything is closed and, with --json, the summary printed.
 */
export async function runConsumerCommand(
  command: string, ctx: Pick<GlobalContext, 'json'>, runtime: CommandRuntime, body: (cleanups: Cleanups) => Promise<Summary>,
): Promise<void> {
  const cleanups = new Cleanups();
  try {
    const summary = await body(cleanups);
    await cleanups.closeAll();
    if (ctx.json) runtime.stdout.write(`${JSON.stringify(typeof summary === 'function' ? summary() : summary)}\n`);
    runtime.setExitCode(ExitCode.ok);
  } catch (err) {
    await cleanups.closeAll();
    if (err instanceof UserError || err instanceof RuntimeFailure) throw err;
    throw new RuntimeFailure(`${command}: ${errorMessage(err)}`, `${command}.failed`, { cause: err });
  }
}

/** The name written into every record: --worker-id, else `<hostname>-<pid>`. */
export function workerIdOf(given: string | undefined): string {
  return given ?? `${hostname()}-${process.pid}`;
}

/**
 * Connects the admin client (closed with the run) and refuses to start, naming the fix, when one of `topics`
 * does not exist (`<command>.missing-topic`).
 */
export async function connectAdminWithTopics(
  ctx: Pick<GlobalContext, 'kafkaConfig' | 'logger' | 'topicPrefix'>, cleanups: Cleanups, command: string, topics: string[],
): Promise<Admin> {
  const { admin, close } = await connectAdmin({ config: ctx.kafkaConfig('admin'), logger: ctx.logger, timeoutMs: 15_000 });
  cleanups.push(close);
  const existing = new Set(await withDeadline(admin.listTopics({ timeout: 10_000 }), 12_000, 'list topics'));
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length) throw new UserError(`topic${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found: create them with 'kscrape topics create'${ctx.topicPrefix ? ` --topic-prefix ${ctx.topicPrefix}` : ''}`, `${command}.missing-topic`);
  return admin;
}

/**
 * The run's plain producer (results of `work` and `extract`), connected within 30 s and closed with the run: flushed
 * for at most 10 s, then disconnected, or abandoned and said when that does not end in 10 s (the exit bound,
 * src/exit-bound.ts, then ends the process).
 */
export async function connectRunProducer(config: KafkaConfig, logger: GlobalContext['logger'], cleanups: Cleanups): Promise<Producer> {
  const producer = createProducer({ config, logger });
  await withDeadline(producer.connect(), 30_000, 'producer connect');
  cleanups.push(async () => {
    await withDeadline(producer.flush({ timeout: 10_000 }), 12_000, 'producer flush').catch((err: Error) => logger.warn(`flush: ${err.message}`));
    await withDeadline(producer.disconnect(), 10_000, 'producer disconnect').catch((err: Error) => logger.warn(`producer not closed within 10 s: abandoned (${err.message})`));
  });
  return producer;
}
