import { describe, expect, test } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { exitQuietlyOnClosedOutput, isClosedPipe } from '../../src/closed-output.js';

describe('exitQuietlyOnClosedOutput', () => {
  test('EPIPE exits with the status so far; another output error is one line and status 1', () => {
    const exits: number[] = [];
    const lines: string[] = [];
    const out = new PassThrough();
    exitQuietlyOnClosedOutput([out], { exitCode: () => 3, exit: (c) => { exits.push(c); }, report: (l) => { lines.push(l); } });
    out.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    out.emit('error', Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    expect(exits).toEqual([3, 1]);
    expect(lines).toEqual(['kscrape: cannot write output: no space left on device\n']);
    expect(isClosedPipe({ code: 'EPIPE' })).toBe(true);
    expect(isClosedPipe(new Error('x'))).toBe(false);
  });
});
