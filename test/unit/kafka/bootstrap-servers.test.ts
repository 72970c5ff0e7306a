/** Bootstrap lists are checked before any client sees them (issue #18, 6). */
import { describe, expect, test } from '@jest/globals';
import { bootstrapProblem, checkBootstrapServers } from '../../../src/kafka/bootstrap-servers.js';
import { UserError } from '../../../src/errors.js';
import { resolveGlobalOptions } from '../../../src/context/global-context.js';

describe('bootstrap lists', () => {
  test.each([
    'localhost:9092', '127.0.0.1:1', 'kafka-1:9092,kafka-2:9092', 'kafka-1:9092, kafka-2:9092', 'k', '[::1]:9092',
    'SASL_SSL://pkc-1.example.cloud:9092', 'host.example:65535',
  ])('%s is accepted', (list) => {
    expect(bootstrapProblem(list)).toBeUndefined();
  });

  test.each([
    ['localhost:36543x', /bad port '36543x'/],
    ['localhost:0', /bad port '0'/],
    ['localhost:70000', /bad port '70000'/],
    ['a:9092,,b:9092', /empty address/],
    ['', /no address/],
    ['::1:9092', /not host:port/],
    ['host name:9092', /not host:port/],
  ])('%s is refused', (list, why) => {
    expect(bootstrapProblem(list)).toMatch(why);
  });

  test('a usage error (exit 2) naming where the list came from', () => {
    expect(() => checkBootstrapServers('localhost:36543x', '--brokers')).toThrow(UserError);
    expect(() => resolveGlobalOptions({ brokers: 'localhost:36543x' }, {})).toThrow(/^--brokers: 'localhost:36543x' has a bad port/);
    expect(() => resolveGlobalOptions({}, { KSCRAPE_BROKERS: 'k:x' })).toThrow(/^KSCRAPE_BROKERS: /);
  });
});
