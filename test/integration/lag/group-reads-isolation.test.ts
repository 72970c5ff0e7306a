/**
 * readGroupsIsolated with stand-in child processes (no broker): a crash, a hang or an error answer of the process
 * that reads groups becomes a typed failure for the tasks it did not answer, with one retry, and the librdkafka
 * config reaches the child only on stdin (never argv or env, which other users can read in ps).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import type { GroupTask } from '../../../src/kafka/group-reads.js';
import { readGroupsIsolated, startGroupReadsChild } from '../../../src/kafka/isolated-group-reads.js';
import { createLogger } from '../../../src/log.js';

const dir = mkdtempSync(join(tmpdir(), 'kscrape-describe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = createLogger({ level: 'quiet' });

/**
 * A stand-in child: notes when it started (config['test.log'] + '.started'), reads the two lines the parent sends
 * (the config, then the tasks), appends `mode task,task` to the log file named in config['test.log'], then
 * runs `behave` (JS source, with `request`, `attempt`, `tasks` = ['d:g', 'o:g'...]) which writes lines and may
 * crash with SIGSEGV like the real client. ok(task) answers a task.
 */
function fakeChild(name: string, behave: string): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, `
import { appendFileSync, readFileSync } from 'node:fs';
const startedAt = Date.now();
let input = '';
for await (const c of process.stdin) input += c;
const request = Object.assign({}, ...input.trim().split('\\n').map((l) => JSON.parse(l)));
const log = request.config['test.log'];
appendFileSync(log + '.started', startedAt + ' ' + Date.now() + '\\n');
const attempt = (() => { try { return readFileSync(log, 'utf8').split('\\n').filter(Boolean).length; } catch { return 0; } })();
const short = (t) => t.kind[0] + ':' + t.group;
appendFileSync(log, request.mode + ' ' + request.tasks.map(short).join(',') + '\\n');
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const ok = (task) => say(task.kind === 'offsets' ? { task, offsets: [{ topic: 't', partition: 0, offset: 7 }] }
  : { task, description: { group: task.group, state: 'Stable', members: [{ memberId: 'm-' + task.group, clientId: 'c', host: '/h', partitions: [] }] } });
const crash = () => process.kill(process.pid, 'SIGSEGV');
${behave}
`);
  return file;
}

/** `d:g` describes g, `o:g` reads its offsets. */
const tasksOf = (short: string[]): GroupTask[] => short.map((s) => ({ kind: s[0] === 'd' ? 'describe' : 'offsets', group: s.slice(2) }));

async function readWith(name: string, behave: string, tasks: string[], timeoutMs = 20_000) {
  const log = join(dir, `${name}.log`);
  const results = await readGroupsIsolated({
    config: { 'bootstrap.servers': '127.0.0.1:1', 'test.log': log }, logger: quiet, tasks: tasksOf(tasks), timeoutMs, retryPauseMs: 10,
    childModule: fakeChild(name, behave),
  });
  const calls = readFileSync(log, 'utf8').trim().split('\n');
  const summary = Object.fromEntries([...results].map(([key, r]) => [`${key[0]}:${key.split('\u0000')[1]}`, r.ok ? 'ok' : r.failure.kind]));
  return { results, calls, summary };
}

describe('group reads in a child process', () => {
  test('answers: one child, all tasks at once', async () => {
    const r = await readWith('plain', `request.tasks.forEach(ok); say({ done: true });`, ['o:a', 'o:b', 'd:a']);
    expect(r.calls).toEqual(['batch o:a,o:b,d:a']);
    expect(r.summary).toEqual({ 'o:a': 'ok', 'o:b': 'ok', 'd:a': 'ok' });
    expect(r.results.get('offsets\u0000a')).toEqual({ ok: true, offsets: [{ topic: 't', partition: 0, offset: 7 }] });
    expect(r.results.get('describe\u0000a')).toEqual({ ok: true, description: { group: 'a', state: 'Stable', members: [{ memberId: 'm-a', clientId: 'c', host: '/h', partitions: [] }] } });
  });

  test('a child started ahead of its tasks is the one asked first: it was up before the caller knew the tasks', async () => {
    const log = join(dir, 'ahead.log');
    const config = { 'bootstrap.servers': '127.0.0.1:1', 'test.log': log };
    const module = fakeChild('ahead', `request.tasks.forEach(ok); say({ done: true });`);
    const started = startGroupReadsChild(module, config);
    await new Promise((r) => setTimeout(r, 700));
    const askedAt = Date.now();
    const results = await readGroupsIsolated({ config, logger: quiet, tasks: tasksOf(['o:a']), timeoutMs: 10_000, childModule: module, started });
    expect(results.get('offsets\u0000a')).toEqual({ ok: true, offsets: [{ topic: 't', partition: 0, offset: 7 }] });
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['batch o:a']);
    const [childStart, childRead] = readFileSync(`${log}.started`, 'utf8').trim().split(' ').map(Number) as [number, number];
    // One child only, running well before the tasks were sent, and reading them only once they were.
    expect(childStart).toBeLessThan(askedAt - 300);
    expect(childRead).toBeGreaterThanOrEqual(askedAt - 5);
    await expect(started.ask({ tasks: tasksOf(['o:a']), mode: 'batch', timeoutMs: 1_000 }, 1_000)).rejects.toThrow('asked once');
  });

  test('a crash (the client\'s SIGSEGV on a coordinator error) is retried once, after which the answer counts', async () => {
    const r = await readWith('crash-once', `if (attempt === 0) crash(); else { request.tasks.forEach(ok); say({ done: true }); }`, ['o:a', 'd:a']);
    expect(r.calls).toEqual(['batch o:a,d:a', 'each o:a,d:a']);
    expect(r.summary).toEqual({ 'o:a': 'ok', 'd:a': 'ok' });
  });

  test('answers written before a crash count; only the rest is asked again', async () => {
    const r = await readWith('crash-on-describe', `
      for (const t of request.tasks) { if (t.kind === 'describe') crash(); ok(t); }
      say({ done: true });`, ['o:a', 'o:b', 'd:a']);
    expect(r.calls).toEqual(['batch o:a,o:b,d:a', 'each d:a']);
    expect(r.summary).toEqual({ 'o:a': 'ok', 'o:b': 'ok', 'd:a': 'crashed' });
  });

  test('one group that always crashes the client does not hide the others', async () => {
    const r = await readWith('one-bad', `
      if (request.mode === 'batch' && request.tasks.some((t) => t.group === 'bad')) crash();
      for (const t of request.tasks) { if (t.group === 'bad') crash(); ok(t); }
      say({ done: true });`, ['o:a', 'o:bad', 'o:c']);
    expect(r.calls).toEqual(['batch o:a,o:bad,o:c', 'each o:a,o:bad,o:c', 'each o:c']);
    expect(r.summary).toEqual({ 'o:a': 'ok', 'o:bad': 'crashed', 'o:c': 'ok' });
    const bad = r.results.get('offsets\u0000bad');
    expect(bad?.ok === false && bad.failure.detail).toContain('SIGSEGV');
  });

  test('a retriable error answer (coordinator loading) is asked again once; a second one is an error answer', async () => {
    const loading = `request.tasks.forEach((task) => say({ task, error: { code: 14, message: 'Broker: Coordinator load in progress' } })); say({ done: true });`;
    const r = await readWith('loading', loading, ['d:a']);
    expect(r.calls).toEqual(['batch d:a', 'each d:a']);
    expect(r.summary).toEqual({ 'd:a': 'error-answer' });
    const fixed = await readWith('loading-once', `if (attempt === 0) { ${loading} } else { request.tasks.forEach(ok); say({ done: true }); }`, ['d:a']);
    expect(fixed.summary).toEqual({ 'd:a': 'ok' });
    const denied = await readWith('denied', `request.tasks.forEach((task) => say({ task, error: { code: 30, message: 'Group authorization failed' } })); say({ done: true });`, ['o:a']);
    expect(denied.calls).toEqual(['batch o:a']);
    expect(denied.results.get('offsets\u0000a')).toEqual({ ok: false, failure: { kind: 'error-answer', detail: 'Group authorization failed (30)' } });
  });

  test('a child that hangs is killed at the deadline: timeout, no retry', async () => {
    const r = await readWith('hang', `setInterval(() => undefined, 1000);`, ['d:a'], 1_500);
    expect(r.calls).toEqual(['batch d:a']);
    expect(r.summary).toEqual({ 'd:a': 'timeout' });
  });

  test('a child that cannot work (broker away) is a failure with its message, not retried', async () => {
    const r = await readWith('failed', `say({ failed: 'connect did not finish within 1000 ms' }); process.exit(1);`, ['o:a']);
    expect(r.calls).toEqual(['batch o:a']);
    expect(r.results.get('offsets\u0000a')).toEqual({ ok: false, failure: { kind: 'failed', detail: 'connect did not finish within 1000 ms' } });
  });

  test('the config (with its password) reaches the child on stdin only, not in its argv or environment', async () => {
    const secret = 'pw-0f8e7d6c5b4a';
    const seen = join(dir, 'seen.json');
    const log = join(dir, 'argv.log');
    await readGroupsIsolated({
      config: { 'bootstrap.servers': '127.0.0.1:1', 'sasl.password': secret, 'test.log': log }, logger: quiet, tasks: tasksOf(['d:a']), timeoutMs: 10_000,
      childModule: fakeChild('argv', `
        const { writeFileSync } = await import('node:fs');
        writeFileSync(${JSON.stringify(seen)}, JSON.stringify({ argv: process.argv, execArgv: process.execArgv, env: process.env, stdin: input }));
        request.tasks.forEach(ok); say({ done: true });`),
    });
    const got = JSON.parse(readFileSync(seen, 'utf8')) as { argv: string[]; execArgv: string[]; env: Record<string, string>; stdin: string };
    expect(got.stdin).toContain(secret);
    expect(JSON.stringify([got.argv, got.execArgv, got.env])).not.toContain(secret);
  });
});
