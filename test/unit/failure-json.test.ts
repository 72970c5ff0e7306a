import { describe, expect, test } from '@jest/globals';
import { failureJson, wantsJson } from '../../src/failure-json.js';

describe('failure JSON (--json)', () => {
  test('one object: what failed, the exit code and its meaning', () => {
    expect(JSON.parse(failureJson({ command: 'produce', code: 'kafka.unreachable', message: 'no broker', exitCode: 1 }))).toEqual({
      ok: false, command: 'produce', error: { code: 'kafka.unreachable', message: 'no broker' }, exit_code: 1, exit_meaning: expect.stringMatching(/^failure/),
    });
    expect(JSON.parse(failureJson({ command: 'lag', code: 'usage', message: 'x', exitCode: 3 })).exit_meaning).toMatch(/^UNKNOWN/);
    expect(JSON.parse(failureJson({ command: undefined, code: 'usage', message: 'x', exitCode: 2 })).command).toBeNull();
  });

  test('--json counts only before a `--`', () => {
    expect(wantsJson(['check', '--json'])).toBe(true);
    expect(wantsJson(['produce', '--', '--json'])).toBe(false);
    expect(wantsJson(['check'])).toBe(false);
  });
});
