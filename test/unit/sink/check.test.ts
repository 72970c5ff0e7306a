import { describe, expect, test } from '@jest/globals';
import { renderCheck, sinkLag } from '../../../src/sink/check.js';

describe('sink --check', () => {
  test('lag per partition: end minus stored; nothing stored counts from the log start', () => {
    const lag = sinkLag(new Map([[0, 90], [2, 40]]), [{ partition: 2, low: 50, high: 70 }, { partition: 0, low: 0, high: 100 }, { partition: 1, low: 10, high: 30 }]);
    expect(lag).toEqual([
      { partition: 0, stored: 90, end: 100, lag: 10 },
      { partition: 1, stored: null, end: 30, lag: 20 },
      // Stored below the log start (retention deleted the rest): only what still exists is lag.
      { partition: 2, stored: 40, end: 70, lag: 20 },
    ]);
  });

  test('the text report names the table, mode, rows and lag', () => {
    const text = renderCheck({ table: 't', exists: true, mode: 'append', schema_version: 1, rows: 5, newest_fetch: null, group: 'g', topic: 'pages', partitions: [{ partition: 0, stored: 3, end: 4, lag: 1 }], lag: 1 });
    expect(text).toContain('table t: append mode, schema version 1, 5 rows');
    expect(text).toContain('group g on pages: lag 1');
    expect(text.split('\n')[3]).toMatch(/^0\s+3\s+4\s+1$/);
  });
});
