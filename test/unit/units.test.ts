import { describe, expect, test } from '@jest/globals';
import { formatDuration, parseDuration, parseRate, parseSize } from '../../src/units.js';

describe('units', () => {
  test('durations', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('250')).toBe(250);
    expect(() => parseDuration('soon', '--cooldown')).toThrow("--cooldown: 'soon' is not a duration");
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(90_000)).toBe('1.5m');
  });

  test('rates in requests per second', () => {
    expect(parseRate('4/s')).toBe(4);
    expect(parseRate('120/m')).toBe(2);
    expect(parseRate('1/1.5s')).toBeCloseTo(0.6667, 3);
    expect(() => parseRate('0/s')).toThrow(/positive/);
    expect(() => parseRate('fast')).toThrow(/not a rate/);
  });

  test('sizes', () => {
    expect(parseSize('1MiB')).toBe(1_048_576);
    expect(parseSize('512k')).toBe(524_288);
    expect(parseSize('10MB')).toBe(10_000_000);
    expect(parseSize('100')).toBe(100);
    expect(() => parseSize('1 parsec')).toThrow(/not a size/);
  });
});
