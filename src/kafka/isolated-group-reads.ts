/**
 * Reads of consumer groups in a short-lived child process, so that a native crash cannot take kscrape down.
 *
 * Why: @confluentinc/kafka-javascript 1.10.1 (librdkafka 2.15.1) crashes the whole process (SIGSEGV) on two admin
 * calls when the group coordinator answers with an error, which is what happens on a fresh broker, when the
 * coordinator moves during a rolling restart, or the first time a cluster hears of a group:
 * - describeGroups: the binding builds a JS string from the description's partition assignor without a NULL check
 *   (src/common.cc, FromConsumerGroupDescription); librdkafka leaves it NULL on every description that carries
 *   an error (rd_kafka_ConsumerGroupDescription_new_error);
 * - fetchOffsets: librdkafka's OffsetFetch error handling asks the consumer group handle to re-query the
 *   coordinator, and an admin client has none (rd_kafka_cgrp_op with rkcg NULL; librdkafka #5040, open;
 *   confluent-kafka-javascript #374).
 * A process of its own turns the crash into a typed failure (`crashed`). Since the crash IS the error answer, a
 * crash is retried once after a short pause, one call per task, so that one bad group does not hide the others.
 *
 * The librdkafka config goes to the child on stdin, never in argv or env (both visible to other users in ps).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { KafkaConfig } from './config.js';
import {
  childFailure, isRetriableGroupError, parseChildOutput, taskKey, type ChildAnswer, type ChildExit, type EarlyReads, type GroupReadsRequest,
  type GroupTask, type TaskFailure, type TaskResult,
} from './group-reads.js';
import { scrubSecrets } from '../redact.js';

export const GROUP_READS_CHILD = fileURLToPath(new URL('./group-reads-child.js', import.meta.url));

export interface IsolatedGroupReadsOptions {
  config: KafkaConfig;
  logger: Logger;
  tasks: GroupTask[];
  /** Deadline for all tasks, retries included. */
  timeoutMs: number;
  /** Pause before the retry after a crash or a retriable error answer. Default 500 ms. */
  retryPauseMs?: number;
  /** The compiled child module; default: the one beside this file. */
  childModule?: string;
  /** A child already started with this config (startGroupReadsChild): used for the first attempt. */
  started?: StartedChild;
}

interface ChildRun {
  answer: ChildAnswer;
  exit: ChildExit;
}

/**
 * A child started before its tasks are known: it loads the client and connects while the caller does its own
 * work, so that a report does not pay for a Node start-up and a connect after the caller knows what to ask.
 */
export interface StartedChild {
  /** Hands the child its tasks; kills it (SIGKILL) if it has not answered deadlineMs after this call. Once only. */
  ask(request: Omit<GroupReadsRequest, 'config'>, deadlineMs: number): Promise<ChildRun>;
  /** Kills a child that was never asked (nothing to read, or the caller failed first). */
  discard(): void;
}

/**
 * Starts the child and hands it the config at once (the first line on stdin), with the offsets reads it may start
 * before being asked (`early`: the caller will ask for them); the tasks follow as the second line when ask() is
 * called, and the end of stdin tells the child there is nothing more.
 */
export function startGroupReadsChild(childModule: string, config: GroupReadsRequest['config'], early?: EarlyReads): StartedChild {
  const child = spawn(process.execPath, [childModule], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr = (stderr + d).slice(-4_096); });
  const exited = new Promise<ChildExit>((resolve) => {
    child.on('error', (err) => resolve({ code: null, signal: null, timedOut: false, stderrTail: scrubSecrets(errorMessage(err)) }));
    child.on('close', (code, signal) => {
      const tail = stderr.trim().split('\n').pop();
      resolve({ code, signal, timedOut, ...(tail ? { stderrTail: scrubSecrets(tail) } : {}) });
    });
  });
  // A child that died before reading its stdin makes these writes fail with EPIPE: its exit says what happened.
  child.stdin.on('error', () => undefined);
  child.stdin.write(`${JSON.stringify({ config, ...(early ? { early } : {}) })}\n`);
  let asked = false;
  return {
    ask: async (request, deadlineMs) => {
      if (asked) throw new Error('a group-reads child is asked once');
      asked = true;
      timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, deadlineMs);
      child.stdin.end(`${JSON.stringify(request)}\n`);
      const exit = await exited;
      clearTimeout(timer);
      return { answer: parseChildOutput(stdout), exit };
    },
    discard: () => {
      if (asked) return;
      asked = true;
      child.kill('SIGKILL');
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the tasks; every task gets an answer: its result, or why there is none. Never throws. Results are keyed by
 * taskKey(task). First one child for all tasks; tasks left without an answer by a crash (or answered with a
 * retriable error) are asked again after a pause, one call per task in order, so that a second crash names its task.
 */
export async function readGroupsIsolated(opts: IsolatedGroupReadsOptions): Promise<Map<string, TaskResult>> {
  const results = new Map<string, TaskResult>();
  const childModule = opts.childModule ?? GROUP_READS_CHILD;
  const endAt = Date.now() + opts.timeoutMs;
  const retried = new Set<string>();
  let pending = [...new Map(opts.tasks.map((t) => [taskKey(t), t])).values()];
  let mode: GroupReadsRequest['mode'] = 'batch';
  let warm = opts.started;
  while (pending.length) {
    const left = endAt - Date.now();
    if (left <= 0) {
      for (const t of pending) results.set(taskKey(t), { ok: false, failure: { kind: 'timeout', detail: `no answer within ${opts.timeoutMs} ms` } });
      break;
    }
    // The child's own requests end a little before it is killed, so that a slow broker is a message, not a kill.
    const request = { tasks: pending, mode, timeoutMs: Math.max(1_000, left - 500) };
    const started = Date.now();
    const child = warm ?? startGroupReadsChild(childModule, opts.config);
    warm = undefined;
    const { answer, exit } = await child.ask(request, left);
    opts.logger.debug(`group reads (${mode}, ${pending.length} task${pending.length === 1 ? '' : 's'}): ${answer.answers.length} answered in ${Date.now() - started} ms${exit.signal ? `, child died (${exit.signal})` : ''}`);

    const asked = new Set(pending.map(taskKey));
    const retry: GroupTask[] = [];
    for (const a of answer.answers) {
      const key = taskKey(a.task);
      if (!asked.has(key) || results.has(key)) continue;
      if ('error' in a) {
        if (isRetriableGroupError(a.error) && !retried.has(key)) retry.push(a.task);
        else results.set(key, { ok: false, failure: { kind: 'error-answer', detail: `${a.error.message} (${a.error.code})` } });
      } else {
        results.set(key, 'offsets' in a ? { ok: true, offsets: a.offsets } : { ok: true, description: a.description });
      }
    }
    const retrying = new Set(retry.map(taskKey));
    const unanswered = pending.filter((t) => !results.has(taskKey(t)) && !retrying.has(taskKey(t)));
    pending = [];
    if (unanswered.length) {
      const failure: TaskFailure = childFailure(exit, answer, left) ?? { kind: 'failed', detail: 'the answer did not include this task' };
      if (failure.kind !== 'crashed') {
        for (const t of unanswered) results.set(taskKey(t), { ok: false, failure });
      } else if (mode === 'batch') {
        retry.push(...unanswered);
      } else {
        // One call per task, in order: the first unanswered task is the one the client crashed on. The tasks
        // after it were not asked yet and go to the next child.
        const [culprit, ...notAsked] = unanswered as [GroupTask, ...GroupTask[]];
        if (retried.has(taskKey(culprit))) results.set(taskKey(culprit), { ok: false, failure });
        else retry.push(culprit);
        pending.push(...notAsked);
      }
    }
    if (retry.length) {
      for (const t of retry) retried.add(taskKey(t));
      const pause = opts.retryPauseMs ?? 500;
      if (endAt - Date.now() > pause + 1_000) await sleep(pause);
      pending.push(...retry);
    }
    mode = 'each';
  }
  warm?.discard();
  for (const [key, r] of results) {
    if (!r.ok) opts.logger.debug(`${key.replace('\u0000', ' ')}: ${r.failure.detail}`);
  }
  return results;
}
