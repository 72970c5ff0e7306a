import { describe, expect, test } from '@jest/globals';
import { classifyAddress, isAllowed, parseCidrs, refusalReason, DEFAULT_ADDRESS_POLICY } from '../../../src/fetch/address-guard.js';
import { checkLiteralHost, createGuardedLookup, BLOCKED_ADDRESS_CODE } from '../../../src/fetch/guarded-lookup.js';
import { parseResolvePins, pinnedAddresses } from '../../../src/fetch/resolve-pins.js';
import type { LookupAddress } from 'node:dns';

describe('classifyAddress', () => {
  test.each([
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.1.2', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade-nat'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['203.0.113.9', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001:4860:4860::8888', 'public'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['::7f00:1', 'loopback'],
    ['::5', 'unspecified'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b::808:808', 'public'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:808:808::1', 'public'],
    ['2001::1', 'reserved'],
    ['100::1', 'reserved'],
    ['localhost', 'invalid'],
    ['127.1', 'invalid'],
    ['1.2.3.4.5', 'invalid'],
    ['fe80::1%eth0', 'invalid'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });
});

describe('isAllowed', () => {
  test('default policy allows public addresses only', () => {
    expect(isAllowed('8.8.8.8', DEFAULT_ADDRESS_POLICY)).toBe(true);
    expect(isAllowed('2001:4860:4860::8888', DEFAULT_ADDRESS_POLICY)).toBe(true);
    for (const ip of ['127.0.0.1', '169.254.169.254', '10.0.0.1', '100.64.0.1', '::1', '::ffff:127.0.0.1', 'fe80::1', '0.0.0.0', '::', 'nonsense']) {
      expect([ip, isAllowed(ip, DEFAULT_ADDRESS_POLICY)]).toEqual([ip, false]);
    }
  });

  test('allowPrivate allows everything that is an address', () => {
    const policy = { allowPrivate: true, allowCidrs: [] };
    expect(isAllowed('127.0.0.1', policy)).toBe(true);
    expect(isAllowed('169.254.169.254', policy)).toBe(true);
    expect(isAllowed('not-an-ip', policy)).toBe(false);
  });

  test('allowCidrs permits exactly the listed blocks, also in IPv4-mapped form', () => {
    const policy = { allowPrivate: false, allowCidrs: parseCidrs(['127.0.1.0/24', 'fd00::/8', '10.9.8.7']) };
    expect(isAllowed('127.0.1.1', policy)).toBe(true);
    expect(isAllowed('127.0.1.254', policy)).toBe(true);
    expect(isAllowed('::ffff:127.0.1.5', policy)).toBe(true);
    expect(isAllowed('127.0.0.1', policy)).toBe(false);
    expect(isAllowed('127.0.2.1', policy)).toBe(false);
    expect(isAllowed('fd00::5', policy)).toBe(true);
    expect(isAllowed('fc00::5', policy)).toBe(false);
    expect(isAllowed('10.9.8.7', policy)).toBe(true);
    expect(isAllowed('10.9.8.8', policy)).toBe(false);
    expect(isAllowed('8.8.8.8', policy)).toBe(true);
  });

  test('bad CIDRs are user errors naming the flag', () => {
    expect(() => parseCidrs(['127.0.1.0/33'])).toThrow("--allow-cidr: '127.0.1.0/33' is not a CIDR block");
    expect(() => parseCidrs(['example.com'])).toThrow(/--allow-cidr/);
    expect(() => parseCidrs(['127.1/8'])).toThrow(/--allow-cidr/);
  });

  test('refusal reasons name the class', () => {
    expect(refusalReason('169.254.169.254')).toBe('169.254.169.254 is link-local');
  });
});

describe('literal hosts and the guarded lookup (no network: pins and a fake resolver)', () => {
  const policy = { allowPrivate: false, allowCidrs: parseCidrs(['127.0.1.0/24']) };

  test('IP-literal hosts are checked before any request', () => {
    expect(checkLiteralHost('127.0.0.1', policy)?.code).toBe(BLOCKED_ADDRESS_CODE);
    expect(checkLiteralHost('[::1]', policy)?.message).toMatch(/^::1 is loopback/);
    expect(checkLiteralHost('127.0.1.9', policy)).toBeUndefined();
    expect(checkLiteralHost('example.com', policy)).toBeUndefined();
  });

  const lookupWith = (answers: LookupAddress[], port = 80, pins = parseResolvePins([])) => {
    const calls: string[] = [];
    const resolver = ((host: string, _opts: unknown, cb: (err: Error | null, a: LookupAddress[]) => void) => {
      calls.push(host);
      process.nextTick(cb, null, answers);
    }) as never;
    return { lookup: createGuardedLookup({ policy, pins, port, resolver }), calls };
  };
  const run = (lookup: ReturnType<typeof lookupWith>['lookup'], host: string, all: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) => {
      lookup(host, { all }, (err, address) => resolve({ err, address }));
    });

  test('refuses when every answer is refused, in both callback forms', async () => {
    const { lookup } = lookupWith([{ address: '169.254.169.254', family: 4 }]);
    for (const all of [true, false]) {
      const { err } = await run(lookup, 'metadata.test', all);
      expect(err?.code).toBe(BLOCKED_ADDRESS_CODE);
      expect(err?.message).toBe('metadata.test: 169.254.169.254 is link-local (refused by the address guard; see --allow-cidr)');
    }
  });

  test('keeps only the allowed answers (a private record beside a permitted one is never connected to)', async () => {
    const { lookup } = lookupWith([{ address: '10.0.0.1', family: 4 }, { address: '127.0.1.7', family: 4 }]);
    expect((await run(lookup, 'mixed.test', true)).address).toEqual([{ address: '127.0.1.7', family: 4 }]);
    expect((await run(lookup, 'mixed.test', false)).address).toBe('127.0.1.7');
  });

  test('pins answer without the resolver and are guarded too', async () => {
    const pins = parseResolvePins(['ok.test:8080:127.0.1.2', 'bad.test:*:127.0.0.1']);
    const { lookup, calls } = lookupWith([], 8080, pins);
    expect((await run(lookup, 'OK.test', false)).address).toBe('127.0.1.2');
    expect((await run(lookup, 'bad.test', false)).err?.code).toBe(BLOCKED_ADDRESS_CODE);
    expect(calls).toEqual([]);
  });
});

describe('--resolve pins', () => {
  test('parse host:port:address lists like curl', () => {
    expect(parseResolvePins(['Example.COM:443:203.0.113.7,[2001:db8::1]', 'a.test:*:127.0.1.1'])).toEqual([
      { host: 'example.com', port: 443, addresses: ['203.0.113.7', '2001:db8::1'] },
      { host: 'a.test', port: '*', addresses: ['127.0.1.1'] },
    ]);
    expect(() => parseResolvePins(['example.com:443'])).toThrow("--resolve: 'example.com:443' is not host:port:address");
    expect(() => parseResolvePins(['example.com:443:nohost'])).toThrow(/--resolve/);
    expect(() => parseResolvePins(['example.com:70000:1.2.3.4'])).toThrow(/--resolve/);
  });

  test('an exact port wins over *, other ports and names are not pinned', () => {
    const pins = parseResolvePins(['a.test:*:127.0.1.1', 'a.test:8080:127.0.1.2']);
    expect(pinnedAddresses(pins, 'a.test', 8080)).toEqual(['127.0.1.2']);
    expect(pinnedAddresses(pins, 'A.TEST.', 80)).toEqual(['127.0.1.1']);
    expect(pinnedAddresses(pins, 'b.test', 80)).toBeUndefined();
    expect(pinnedAddresses(parseResolvePins(['c.test:443:127.0.1.3']), 'c.test', 80)).toBeUndefined();
  });
});
