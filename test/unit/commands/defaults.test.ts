import { describe, expect, test } from '@jest/globals';
import { Command, type Option } from 'commander';
import { registerDlqCommand } from '../../../src/commands/dlq.js';
import { registerProduceCommand } from '../../../src/commands/produce.js';
import { DLQ_DEFAULTS } from '../../../src/dlq/dlq-defaults.js';
import { PRODUCE_DEFAULTS } from '../../../src/produce/produce-defaults.js';
import { durationText, parseDuration } from '../../../src/units.js';

const runtime = { stdout: process.stdout, setExitCode: () => undefined };
const program = new Command();
registerProduceCommand(program, runtime);
registerDlqCommand(program, runtime);
const defaultOf = (path: string[], flag: string): unknown => {
  let cmd = program;
  for (const name of path) cmd = cmd.commands.find((c) => c.name() === name)!;
  return (cmd.options as Option[]).find((o) => o.long === flag)?.defaultValue;
};

describe('durationText', () => {
  test('the flag text of a duration, read back exactly by parseDuration', () => {
    expect([10_000, 30_000, 60_000, 3_600_000, 86_400_000, 250, 1500].map(durationText)).toEqual(['10s', '30s', '60s', '1h', '24h', '250ms', '1500ms']);
    for (const ms of [0, 1, 999, 1000, 59_000, 3_600_000, 7_200_000]) expect(parseDuration(durationText(ms))).toBe(ms);
  });
});

describe('one defaults object per command feeds commander', () => {
  test('produce', () => {
    const D = PRODUCE_DEFAULTS;
    expect(defaultOf(['produce'], '--topic')).toBe(D.topic);
    expect(defaultOf(['produce'], '--format')).toBe(D.format);
    expect(defaultOf(['produce'], '--customer')).toBe(D.customerId);
    expect(Number(defaultOf(['produce'], '--priority'))).toBe(D.priority);
    expect(defaultOf(['produce'], '--partitioner')).toBe(D.partitioner);
    expect(Number(defaultOf(['produce'], '--fair-threshold'))).toBe(D.fairThreshold);
    expect(Number(defaultOf(['produce'], '--fair-bands'))).toBe(D.fairBands);
    expect(Number(defaultOf(['produce'], '--max-url-length'))).toBe(D.maxUrlLength);
    expect(Number(defaultOf(['produce'], '--max-in-flight'))).toBe(D.maxInFlight);
    expect(parseDuration(String(defaultOf(['produce'], '--timeout')))).toBe(D.timeoutMs);
  });

  test('dlq retry and dlq stats', () => {
    const D = DLQ_DEFAULTS;
    for (const sub of ['retry', 'stats']) {
      expect(parseDuration(String(defaultOf(['dlq', sub], '--cooldown')))).toBe(D.policy.cooldownMs);
      expect(defaultOf(['dlq', sub], '--backoff')).toBe(D.policy.backoff);
      expect(Number(defaultOf(['dlq', sub], '--max-attempts'))).toBe(D.policy.maxAttempts);
    }
    expect(defaultOf(['dlq', 'retry'], '--group')).toBe(D.retry.group);
    expect(defaultOf(['dlq', 'retry'], '--partitioner')).toBe(D.retry.partitioner);
    expect(parseDuration(String(defaultOf(['dlq', 'retry'], '--timeout')))).toBe(D.retry.timeoutMs);
    expect(Number(defaultOf(['dlq', 'stats'], '--top'))).toBe(D.stats.top);
    expect(parseDuration(String(defaultOf(['dlq', 'stats'], '--timeout')))).toBe(D.stats.timeoutMs);
  });
});
