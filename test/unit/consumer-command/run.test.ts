/**
 * The frame around a consumer command's run: what was opened is closed newest first however the run ends, the
 * --json summary comes after the closing, and an unexpected failure is named after the command.
 */
import { describe, expect, test } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { Cleanups, runConsumerCommand } from '../../../src/consumer-command/run.js';
import { RuntimeFailure, UserError } from '../../../src/errors.js';

function runtime() {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  const exitCodes: number[] = [];
  return { stdout, setExitCode: (code: number) => { exitCodes.push(code); }, text: () => text, exitCodes };
}

describe('Cleanups', () => {
  test('closes newest first, goes on past a failing close, and closes each thing once', async () => {
    const closed: string[] = [];
    const cleanups = new Cleanups();
    cleanups.push(() => { closed.push('admin'); });
    cleanups.push(() => Promise.reject(new Error('producer gone')));
    cleanups.push(async () => { closed.push('metrics'); });
    await cleanups.closeAll();
    expect(closed).toEqual(['metrics', 'admin']);
    cleanups.push(() => { closed.push('late'); });
    await cleanups.closeAll();
    expect(closed).toEqual(['metrics', 'admin', 'late']);
  });
});

describe('runConsumerCommand', () => {
  test('with --json the summary is printed once everything is closed, and the exit code is 0', async () => {
    const rt = runtime();
    const events: string[] = [];
    await runConsumerCommand('work', { json: true }, rt, async (cleanups) => {
      cleanups.push(() => { events.push('closed'); });
      return () => { events.push('summary read'); return { consumed: 3 }; };
    });
    expect(events).toEqual(['closed', 'summary read']);
    expect(rt.text()).toBe('{"consumed":3}\n');
    expect(rt.exitCodes).toEqual([0]);
  });

  test('without --json nothing goes to stdout', async () => {
    const rt = runtime();
    await runConsumerCommand('extract', { json: false }, rt, async () => ({ consumed: 1 }));
    expect(rt.text()).toBe('');
  });

  test('an unexpected failure closes what was opened and becomes <command>.failed', async () => {
    const rt = runtime();
    const closed: string[] = [];
    const run = runConsumerCommand('sink', { json: true }, rt, async (cleanups) => {
      cleanups.push(() => { closed.push('pool'); });
      throw new Error('boom');
    });
    await expect(run).rejects.toBeInstanceOf(RuntimeFailure);
    await expect(run).rejects.toMatchObject({ code: 'sink.failed', message: 'sink: boom' });
    expect(closed).toEqual(['pool']);
    expect(rt.text()).toBe('');
  });

  test("the user's errors and known runtime failures go up as they are", async () => {
    const rt = runtime();
    await expect(runConsumerCommand('work', { json: false }, rt, async () => {
      throw new UserError('topic urls not found', 'work.missing-topic');
    })).rejects.toMatchObject({ code: 'work.missing-topic', message: 'topic urls not found' });
    await expect(runConsumerCommand('work', { json: false }, rt, async () => {
      throw new RuntimeFailure('cannot reach Kafka', 'kafka.unreachable');
    })).rejects.toMatchObject({ code: 'kafka.unreachable' });
  });
});
