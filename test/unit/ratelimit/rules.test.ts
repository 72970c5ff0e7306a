import { describe, expect, test } from '@jest/globals';
import { Command } from 'commander';
import { buildRateConfig, parseHostRateFile, rateLimitOptions, rulesFor, type RawRateOptions } from '../../../src/ratelimit/rules.js';
import { UserError } from '../../../src/errors.js';

const base: RawRateOptions = { hostDelay: '1.5s', rateBurst: '0' };

describe('rate rules', () => {
  test('default host delay applies to every host; overrides win; customers add a second rule', () => {
    const config = buildRateConfig({ ...base, hostRate: ['Example.COM=4/s'], customerRate: ['acme=20/s'] });
    expect(rulesFor(config, 'https://other.org/a?b')).toEqual([{ key: 'host:other.org', intervalMs: 1500, burst: 0 }]);
    expect(rulesFor(config, 'https://example.com:8443/x', 'acme')).toEqual([
      { key: 'host:example.com', intervalMs: 250, burst: 0 },
      { key: 'customer:acme', intervalMs: 50, burst: 0 },
    ]);
    expect(rulesFor(config, 'example.com', 'nobody')).toHaveLength(1);
  });

  test('precedence: --host-rate > --host-rate-file > --host-delay', () => {
    const file = '# politeness\nexample.com 2/s\nslow.org   1/10s  # very slow\n\n';
    const config = buildRateConfig({ ...base, hostRateFile: 'hosts.txt', hostRate: ['example.com=8/s'] }, () => file);
    expect(config.hostIntervalMs.get('example.com')).toBe(125);
    expect(config.hostIntervalMs.get('slow.org')).toBe(10_000);
  });

  test('--host-delay 0 means no default host limit; --rate-burst goes into every rule', () => {
    const config = buildRateConfig({ ...base, hostDelay: '0', rateBurst: '2', customerRate: ['a=1/s'] });
    expect(rulesFor(config, 'https://x.org/', 'a')).toEqual([{ key: 'customer:a', intervalMs: 1000, burst: 2 }]);
  });

  test.each([
    [{ ...base, hostDelay: 'soon' }, '--host-delay'],
    [{ ...base, hostRate: ['example.com'] }, '--host-rate'],
    [{ ...base, hostRate: ['example.com=fast'] }, '--host-rate'],
    [{ ...base, hostRate: ['https://example.com/=1/s'] }, '--host-rate'],
    [{ ...base, customerRate: ['=1/s'] }, '--customer-rate'],
    [{ ...base, customerRate: ['acme=0/s'] }, '--customer-rate'],
    [{ ...base, rateBurst: '-1' }, '--rate-burst'],
  ])('bad values are UserErrors naming the flag: %j', (raw, flag) => {
    expect(() => buildRateConfig(raw)).toThrow(UserError);
    expect(() => buildRateConfig(raw)).toThrow(flag);
  });

  test('file errors name the file and line; an unreadable file is a UserError', () => {
    expect(() => parseHostRateFile('a.com 1/s\nb.com\n', 'h.txt')).toThrow('--host-rate-file h.txt:2');
    expect(() => parseHostRateFile('a.com 1/s extra', 'h.txt')).toThrow(UserError);
    expect(() => buildRateConfig({ ...base, hostRateFile: '/nope' }, () => { throw new Error('ENOENT'); })).toThrow('--host-rate-file: cannot read /nope');
  });

  test('the option declarations carry their defaults and parse into RawRateOptions', () => {
    const cmd = new Command('work').exitOverride();
    for (const option of rateLimitOptions()) cmd.addOption(option);
    cmd.parse(['--host-rate', 'a.com=4/s', '--host-rate', 'b.com=1/s', '--customer-rate', 'acme=20/s'], { from: 'user' });
    const raw = cmd.opts<RawRateOptions>();
    expect(raw).toMatchObject({ hostDelay: '1.5s', rateBurst: '0', redisRequired: false, hostRate: ['a.com=4/s', 'b.com=1/s'] });
    expect(buildRateConfig(raw).hostIntervalMs.size).toBe(2);
    expect(cmd.helpInformation()).toMatch(/\(default:\s+"1.5s"\)/);
  });
});
