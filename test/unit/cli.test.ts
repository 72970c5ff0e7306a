/**
 * Which command an argv runs, read before any command module is loaded (src/cli.ts loads only that one): global
 * options and their values are skipped the way commander reads them, and anything that is not a command (help,
 * a typo, nothing) asks for the whole tree.
 */
import { describe, expect, test } from '@jest/globals';
import { Writable } from 'node:stream';
import { commandNamed, createProgram } from '../../src/cli.js';

const argv = (...args: string[]) => ['node', 'kscrape', ...args];

describe('commandNamed', () => {
  test('the command after global options, with or without their values', () => {
    expect(commandNamed(argv('lag', '--group', 'g'))).toBe('lag');
    expect(commandNamed(argv('--brokers', 'k:9092', '-X', 'linger.ms=5', 'dlq', 'retry', '--once'))).toBe('dlq');
    expect(commandNamed(argv('--json', '-q', 'topics', 'list'))).toBe('topics');
  });

  test('a global option whose value is a command name does not hide the real command', () => {
    expect(commandNamed(argv('--topic-prefix', 'lag', 'work', '--group', 'g'))).toBe('work');
    expect(commandNamed(argv('--brokers=produce', 'partition-audit', 'urls.txt'))).toBe('partition-audit');
  });

  test('help, unknown names and no command at all name none', () => {
    expect(commandNamed(argv())).toBeUndefined();
    expect(commandNamed(argv('--help'))).toBeUndefined();
    expect(commandNamed(argv('help', 'lag'))).toBeUndefined();
    expect(commandNamed(argv('lagg', '--group', 'g'))).toBeUndefined();
    expect(commandNamed(argv('--version'))).toBeUndefined();
  });
});

describe('createProgram', () => {
  const out = new Writable({ write(_chunk, _enc, done) { done(); } });
  const runtime = { stdout: out, setExitCode: () => undefined };

  test('a run of one command builds only that command; without one, the whole tree in help order', async () => {
    expect((await createProgram(runtime, out, 'lag')).commands.map((c) => c.name())).toEqual(['lag']);
    expect((await createProgram(runtime, out)).commands.map((c) => c.name())).toEqual(
      ['check', 'limits', 'config', 'lag', 'dlq', 'topics', 'partition-audit', 'sitemap', 'produce', 'completion', 'work', 'crawl', 'sink', 'extract']);
  });
});
