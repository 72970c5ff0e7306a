import { describe, expect, test } from '@jest/globals';
import { Command } from 'commander';
import { FETCHER_DEFAULTS, resolveFetcherOptions } from '../../../src/fetch/options.js';
import { addFetchOptions, fetcherOptionsFromFlags, type FetchFlags } from '../../../src/fetch/flags.js';

describe('fetcher options', () => {
  test('defaults fill in and text forms are parsed', () => {
    const o = resolveFetcherOptions({ allowCidrs: ['127.0.1.0/24'], resolve: ['a.test:80:127.0.1.1'], timeoutMs: undefined });
    expect(o.timeoutMs).toBe(30_000);
    expect(o.maxPageBytes).toBe(1_048_576);
    expect(o.maxRedirects).toBe(5);
    expect(o.policy.allowCidrs.map((c) => c.text)).toEqual(['127.0.1.0/24']);
    expect(o.pins).toEqual([{ host: 'a.test', port: 80, addresses: ['127.0.1.1'] }]);
    expect(o.userAgent).toMatch(/^kscrape\/\d+\.\d+\.\d+ /);
  });

  test('bad values name the option', () => {
    expect(() => resolveFetcherOptions({ timeoutMs: 0 })).toThrow('fetch option timeoutMs: 0 must be a positive number');
    expect(() => resolveFetcherOptions({ maxRedirects: -1 })).toThrow(/maxRedirects/);
    expect(() => resolveFetcherOptions({ userAgent: 'a\nb' })).toThrow(/userAgent/);
    expect(() => resolveFetcherOptions({ accept: [] })).toThrow(/accept/);
  });
});

describe('fetch flags', () => {
  const parse = (argv: string[]) => {
    const cmd = addFetchOptions(new Command('work').exitOverride());
    cmd.parse(argv, { from: 'user' });
    return fetcherOptionsFromFlags(cmd.opts<FetchFlags>());
  };

  test('defaults from the flags equal the fetcher defaults', () => {
    const o = resolveFetcherOptions(parse([]));
    for (const key of ['userAgent', 'timeoutMs', 'connectTimeoutMs', 'maxPageBytes', 'maxRedirects', 'accept', 'allowPrivate', 'ignoreRobots'] as const) {
      expect([key, o[key]]).toEqual([key, FETCHER_DEFAULTS[key]]);
    }
  });

  test('every flag reaches its option', () => {
    expect(parse([
      '--user-agent', 'bot/2', '--timeout', '5s', '--connect-timeout', '500ms', '--max-page-bytes', '64k', '--max-redirects', '0',
      '--accept', 'text/html, text/*', '--resolve', 'a.test:80:127.0.1.1', '--resolve', 'b.test:*:127.0.1.2',
      '--allow-private', '--allow-cidr', '127.0.1.0/24,10.0.0.0/8', '--allow-cidr', 'fd00::/8', '--ignore-robots',
    ])).toEqual({
      userAgent: 'bot/2', timeoutMs: 5000, connectTimeoutMs: 500, maxPageBytes: 65536, maxRedirects: 0,
      accept: ['text/html', 'text/*'], resolve: ['a.test:80:127.0.1.1', 'b.test:*:127.0.1.2'], allowPrivate: true,
      allowCidrs: ['127.0.1.0/24', '10.0.0.0/8', 'fd00::/8'], ignoreRobots: true,
    });
  });

  test('bad flag values are one-line user errors naming the flag', () => {
    expect(() => parse(['--timeout', 'soon'])).toThrow(/^--timeout: 'soon' is not a duration/);
    expect(() => parse(['--max-page-bytes', '0'])).toThrow(/^--max-page-bytes: must be greater than zero/);
    expect(() => parse(['--accept', 'html'])).toThrow(/^--accept: 'html' is not a list of media types/);
    expect(() => resolveFetcherOptions(parse(['--resolve', 'nonsense']))).toThrow(/^--resolve: 'nonsense'/);
    expect(() => resolveFetcherOptions(parse(['--allow-cidr', '300.0.0.0/8']))).toThrow(/^--allow-cidr: '300.0.0.0\/8'/);
  });
});
