import { describe, expect, test } from '@jest/globals';
import { cellsOfLine, copyCell, copyLine, copyPayload } from '../../../src/sink/copy-text.js';

describe('COPY text format', () => {
  test('NULL, numbers, booleans and times', () => {
    expect([null, 42, true, false, new Date(0)].map(copyCell)).toEqual(['\\N', '42', 't', 'f', '1970-01-01T00:00:00.000Z']);
  });

  test('the four special characters are escaped, nothing else', () => {
    expect(copyCell('a\\b\nc\rd\te "é" ,;')).toBe('a\\\\b\\nc\\rd\\te "é" ,;');
  });

  test('objects are JSON, escaped like text', () => {
    expect(copyCell({ a: 'x\ny', b: '\\' })).toBe('{"a":"x\\\\ny","b":"\\\\\\\\"}');
  });

  test('a line is tab-separated and ends with a newline', () => {
    expect(copyLine(['u', null, 3])).toBe('u\t\\N\t3\n');
  });

  test('a line reads back as its cells, as text; lines join into one payload', () => {
    const line = copyLine(['a\\b\nc\rd\te', null, 3, { k: 'x\ty' }]);
    expect(cellsOfLine(line)).toEqual(['a\\b\nc\rd\te', null, '3', '{"k":"x\\ty"}']);
    expect(copyPayload([line, copyLine(['z'])]).toString()).toBe(`${line}z\n`);
  });
});
