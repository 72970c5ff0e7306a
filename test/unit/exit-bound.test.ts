import { describe, expect, test } from '@jest/globals';
import { boundExit, exitBoundLine } from '../../src/exit-bound.js';

describe('boundExit', () => {
  test('after the grace time it says what held the process and takes the hard end', async () => {
    const lines: string[] = [];
    let killed = 0;
    boundExit({ graceMs: 50, report: (l) => { lines.push(l); }, activeResources: () => ['TCPWrap', 'TCPWrap', 'Timeout'], kill: () => { killed++; } });
    await new Promise((r) => setTimeout(r, 150));
    expect(killed).toBe(1);
    expect(lines).toEqual([expect.stringContaining('did not end 50 ms after the command finished (still held by: 2× TCPWrap, Timeout); ending it with SIGKILL')]);
  });

  test('disarmed (the process ended on its own), it does nothing', async () => {
    let killed = 0;
    const disarm = boundExit({ graceMs: 50, report: () => undefined, kill: () => { killed++; } });
    disarm();
    await new Promise((r) => setTimeout(r, 150));
    expect(killed).toBe(0);
  });

  test('the line names native threads when no JavaScript resource is left', () => {
    expect(exitBoundLine(15_000, [])).toMatch(/^kscrape: the process did not end 15 s after the command finished \(still held by: native threads only\)/);
  });
});
