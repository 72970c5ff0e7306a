import { describe, expect, test } from '@jest/globals';
import { LocalDepthCounter, createPartitioner, hostPartition } from '../../../src/partition/partitioner.js';
import { murmur2Partition } from '../../../src/partition/murmur2.js';

describe('partitioners', () => {
  test('host: murmur2 of the host, the same for every URL of the host', () => {
    const p = createPartitioner('host');
    expect(p({ host: 'example.com', url: 'https://example.com/a', customerId: 'x' }, 50)).toBe(murmur2Partition('example.com', 50));
    expect(p({ host: 'example.com', url: 'https://example.com/b', customerId: 'y' }, 50)).toBe(hostPartition('example.com', 50));
  });

  test('customer: murmur2 of the customer id', () => {
    expect(createPartitioner('customer')({ host: 'h', url: 'u', customerId: 'acme' }, 12)).toBe(murmur2Partition('acme', 12));
  });

  test('fair: a host under the threshold keeps its partition; above it, URLs spread over exactly `bands` partitions', () => {
    const depth = new LocalDepthCounter();
    const p = createPartitioner('fair', { fair: { threshold: 10, bands: 4, depth } });
    const home = hostPartition('big.example', 50);
    const urls = Array.from({ length: 400 }, (_, i) => `https://big.example/item/${i}`);
    expect(new Set(urls.map((url) => p({ host: 'big.example', url, customerId: 'c' }, 50)))).toEqual(new Set([home]));
    depth.add('big.example', 11);
    const spread = new Set(urls.map((url) => p({ host: 'big.example', url, customerId: 'c' }, 50)));
    expect(spread).toEqual(new Set([0, 1, 2, 3].map((b) => (home + b) % 50)));
    expect(p({ host: 'small.example', url: 'https://small.example/', customerId: 'c' }, 50)).toBe(hostPartition('small.example', 50));
  });

  test('random uses the injected source and stays in range', () => {
    const values = [0, 0.5, 0.999];
    const p = createPartitioner('random', { random: () => values.shift() ?? 0 });
    expect([0, 1, 2].map(() => p({ host: 'h', url: 'u', customerId: 'c' }, 10))).toEqual([0, 5, 9]);
  });
});
