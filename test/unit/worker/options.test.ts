/**
 * The work settings' one defaults object: what `--help` shows is what the runtime gets.
 */
import { describe, expect, test } from '@jest/globals';
import { Command } from 'commander';
import { registerWorkCommand } from '../../../src/commands/work.js';
import type { CommandRuntime } from '../../../src/commands/runtime.js';
import { parseDuration, parsePositiveInt, parseSize } from '../../../src/units.js';
import { WORK_DEFAULTS, flagDefault } from '../../../src/worker/options.js';

describe('WORK_DEFAULTS', () => {
  test('flag defaults are written as a user types them', () => {
    expect(flagDefault('group')).toBe('scrapers');
    expect(flagDefault('concurrency')).toBe('64');
    expect(flagDefault('commitIntervalMs')).toBe('5s');
    expect(flagDefault('stallTimeoutMs')).toBe('60s');
    expect(flagDefault('txnMaxMs')).toBe('1s');
    expect(flagDefault('maxRecordBytes')).toBe('4MiB');
    expect(flagDefault('maxPendingBytes')).toBe('32MiB');
    expect(flagDefault('groupProtocol')).toBe('classic');
  });

  test('each flag default parses back to exactly the runtime default', () => {
    for (const key of ['commitIntervalMs', 'shutdownTimeoutMs', 'stallTimeoutMs', 'statusIntervalMs', 'txnMaxMs'] as const) {
      expect(parseDuration(flagDefault(key))).toBe(WORK_DEFAULTS[key]);
    }
    for (const key of ['maxRecordBytes', 'maxPendingBytes'] as const) expect(parseSize(flagDefault(key))).toBe(WORK_DEFAULTS[key]);
    for (const key of ['concurrency', 'perHostConcurrency', 'lookahead', 'commitEveryMessages', 'txnMaxMessages'] as const) {
      expect(parsePositiveInt(flagDefault(key), key)).toBe(WORK_DEFAULTS[key]);
    }
  });

  test("commander's defaults for `kscrape work` come from WORK_DEFAULTS", () => {
    const program = new Command();
    registerWorkCommand(program, {} as CommandRuntime);
    const work = program.commands.find((c) => c.name() === 'work')!;
    const defaults = Object.fromEntries(work.options.map((o) => [o.long, o.defaultValue]));
    expect(defaults).toMatchObject({
      '--group': WORK_DEFAULTS.group,
      '--concurrency': String(WORK_DEFAULTS.concurrency),
      '--commit-interval': '5s',
      '--delivery-buffer': '32MiB',
      '--eos': WORK_DEFAULTS.eos,
      '--txn-max-messages': String(WORK_DEFAULTS.txnMaxMessages),
    });
  });
});
