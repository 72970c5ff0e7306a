/**
 * The lifecycle against fake stages and sessions: the graceful stop's order and deadline, and a consumer
 * restart that gives everything back before closing. The real session is exercised by
 * test/integration/worker/worker.test.ts and the chaos scenarios.
 */
import { describe, expect, test } from '@jest/globals';
import { createLogger } from '../../../src/log.js';
import type { ConsumerSession } from '../../../src/worker/consumer-session.js';
import { Lifecycle, type LifecycleOptions } from '../../../src/worker/lifecycle.js';
import { WorkerStats } from '../../../src/worker/stats.js';

function setup(opts: { schedulerIdle?: boolean; shutdownTimeoutMs?: number } = {}) {
  const events: string[] = [];
  let sessions = 0;
  const commits = {
    closing: false,
    commitNow: async () => true,
    commitAndConfirm: async (partitions: number[]) => { events.push(`confirm ${partitions.join(',')}`); return true; },
    onRevoke: async (partitions: number[]) => { events.push(`revoke ${partitions.join(',')}`); },
  };
  const newSession = () => {
    const id = ++sessions;
    return {
      lastBatchAt: Date.now(),
      start: async () => { events.push(`start ${id}`); },
      assigned: () => [0, 1],
      isPaused: () => false,
      pause: (ps: number[]) => { events.push(`pause ${ps.join(',')}`); },
      committed: async () => [],
      close: async () => { events.push(`close ${id} closing=${commits.closing}`); },
    } as unknown as ConsumerSession;
  };
  const options: LifecycleOptions = {
    logger: createLogger({ level: 'quiet' }), stats: new WorkerStats(), newSession, commits,
    commitIntervalMs: 60_000, shutdownTimeoutMs: opts.shutdownTimeoutMs ?? 1_000, stallTimeoutMs: 60_000,
    maxMessages: 1, // no watchdog timer in a unit test
    readHighWatermarks: async () => new Map(),
    tracker: { get: () => undefined, pending: () => 0, partitionIds: () => [0, 1], positions: () => [] },
    scheduler: {
      stop: () => { events.push('scheduler stop'); },
      whenIdle: () => (opts.schedulerIdle === false ? new Promise<void>(() => undefined) : Promise.resolve()),
      stats: () => ({ queued: 0, running: 0, hosts: 0, hostsWaiting: 0 }),
    },
    fetches: { running: () => 2, abortAll: () => { events.push('abort fetches'); } },
    router: { drainAndClose: async () => { events.push('drain'); return 0; } },
    intake: { joined: true, lastMessageAt: Date.now() },
  };
  return { lifecycle: new Lifecycle(options), events, commits };
}

describe('Lifecycle', () => {
  test('stop: pause, no new work, wait for in-flight, deliver, commit, then close; twice is once', async () => {
    const { lifecycle, events } = setup();
    await lifecycle.start();
    const first = lifecycle.stop('test');
    const second = lifecycle.stop('again');
    await Promise.all([first, second, lifecycle.done]);
    expect(lifecycle.stopping).toBe(true);
    expect(events).toEqual(['start 1', 'pause 0,1', 'scheduler stop', 'drain', 'confirm 0,1', 'close 1 closing=true']);
  });

  test('stop gives up on fetches still running at the shutdown deadline', async () => {
    const { lifecycle, events } = setup({ schedulerIdle: false, shutdownTimeoutMs: 50 });
    await lifecycle.start();
    await lifecycle.stop();
    expect(events).toEqual(['start 1', 'pause 0,1', 'scheduler stop', 'abort fetches', 'drain', 'confirm 0,1', 'close 1 closing=true']);
  });

  test('restartConsumer gives every partition back (and commits) before the old session closes, then joins anew', async () => {
    const { lifecycle, events, commits } = setup();
    await lifecycle.start();
    await lifecycle.restartConsumer('stalled');
    expect(events).toEqual(['start 1', 'revoke 0,1', 'close 1 closing=true', 'start 2']);
    expect(commits.closing).toBe(false);
    await lifecycle.stop();
    expect(events.at(-1)).toBe('close 2 closing=true');
  });

  test('no restart once stopping', async () => {
    const { lifecycle, events } = setup();
    await lifecycle.start();
    await lifecycle.stop();
    await lifecycle.restartConsumer('late');
    expect(events.filter((e) => e.startsWith('start'))).toEqual(['start 1']);
  });
});
