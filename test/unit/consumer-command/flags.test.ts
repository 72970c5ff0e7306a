/**
 * The consumer flags shared by `work` and `extract`: commander's defaults parse back to CONSUMER_DEFAULTS, and
 * the checks that span flags (--eos needs --worker-id; its transaction limits replace the commit ones).
 */
import { describe, expect, test } from '@jest/globals';
import { Command } from 'commander';
import { consumerOptions, consumerSettingsFromFlags, finishConsumerSettings, type ConsumerFlags } from '../../../src/consumer-command/flags.js';
import { CONSUMER_DEFAULTS } from '../../../src/consumer-command/settings.js';

const help = {
  commitEvery: 'c', maxMessages: 'm', idleExit: 'i', shutdownTimeout: 's', statusInterval: 'st',
  maxRecordBytes: 'r', deliveryBuffer: 'd', eos: 'e', txnMaxMessages: 't',
};

function parse(args: string[]): ConsumerFlags {
  const cmd = new Command().exitOverride();
  cmd.addOption(cmd.createOption('--group <id>').default('g')).addOption(cmd.createOption('--worker-id <id>'));
  for (const option of consumerOptions(help)) cmd.addOption(option);
  cmd.parse(args, { from: 'user' });
  return cmd.opts<ConsumerFlags>();
}

describe('consumer flags', () => {
  test("commander's defaults parse back to exactly CONSUMER_DEFAULTS", () => {
    const settings = consumerSettingsFromFlags(parse([]));
    finishConsumerSettings(settings, parse([]));
    const { txnMaxMessages: _n, txnMaxMs: _ms, ...shared } = CONSUMER_DEFAULTS;
    expect(settings).toEqual({ ...shared, group: 'g', workerId: undefined, maxMessages: undefined, idleExitMs: undefined, metricsPort: undefined });
  });

  test('the optional flags are parsed with their units', () => {
    const settings = consumerSettingsFromFlags(parse(['--max-messages', '10', '--idle-exit', '30s', '--metrics-port', '9464', '--delivery-buffer', '1MiB']));
    expect(settings).toMatchObject({ maxMessages: 10, idleExitMs: 30_000, metricsPort: 9464, maxPendingBytes: 1024 * 1024 });
  });

  test('a bad metrics port is refused with the flag named', () => {
    expect(() => consumerSettingsFromFlags(parse(['--metrics-port', '70000']))).toThrow("--metrics-port: '70000' is not a port number");
  });

  test('--eos needs --worker-id', () => {
    const flags = parse(['--eos']);
    expect(() => finishConsumerSettings(consumerSettingsFromFlags(flags), flags)).toThrow(expect.objectContaining({ code: 'usage.eos-worker-id' }));
  });

  test('with --eos the transaction limits replace the commit ones', () => {
    const flags = parse(['--eos', '--worker-id', 'w1', '--commit-every', '7', '--txn-max-messages', '50', '--txn-max-ms', '2s']);
    const settings = consumerSettingsFromFlags(flags);
    finishConsumerSettings(settings, flags);
    expect(settings).toMatchObject({ eos: true, workerId: 'w1', commitEveryMessages: 50, commitIntervalMs: 2_000 });
  });

  test('a zero commit interval is refused', () => {
    const flags = parse(['--commit-interval', '0']);
    expect(() => finishConsumerSettings(consumerSettingsFromFlags(flags), flags)).toThrow('--commit-interval must be greater than zero');
  });
});
