import { describe, expect, test } from '@jest/globals';
import { conditionalHeaders, decodeValidators, encodeValidators, MAX_ETAG_LENGTH, validatorsOf } from '../../../src/fetch/validators.js';

const DATE = 'Tue, 01 Dec 2026 10:00:00 GMT';

describe('validators', () => {
  test('taken from a response\'s ETag and Last-Modified, as sent (quotes and W/ kept)', () => {
    expect(validatorsOf({ etag: ' W/"abc" ', 'last-modified': DATE, 'content-type': 'text/html' })).toEqual({ etag: 'W/"abc"', lastModified: DATE });
    expect(validatorsOf({ etag: '"abc"' })).toEqual({ etag: '"abc"' });
    expect(validatorsOf({ 'last-modified': DATE })).toEqual({ lastModified: DATE });
    expect(validatorsOf({ 'content-type': 'text/html' })).toBeUndefined();
  });

  test('unbounded or unsafe values are not kept (they would be stored per URL and sent as headers)', () => {
    expect(validatorsOf({ etag: `"${'x'.repeat(MAX_ETAG_LENGTH)}"` })).toBeUndefined();
    expect(validatorsOf({ etag: '"a"\r\nX-Evil: 1' })).toBeUndefined();
    expect(validatorsOf({ etag: '"é"', 'last-modified': DATE })).toEqual({ lastModified: DATE });
    expect(validatorsOf({ 'last-modified': 'x'.repeat(65) })).toBeUndefined();
  });

  test('conditional headers: If-None-Match from the ETag, If-Modified-Since from Last-Modified', () => {
    expect(conditionalHeaders({ etag: '"abc"', lastModified: DATE })).toEqual({ 'if-none-match': '"abc"', 'if-modified-since': DATE });
    expect(conditionalHeaders({ lastModified: DATE })).toEqual({ 'if-modified-since': DATE });
    expect(conditionalHeaders(undefined)).toEqual({});
    expect(conditionalHeaders({ etag: 'a\nb' })).toEqual({});
  });

  test('stored as one string and read back; garbage reads as none', () => {
    for (const v of [{ etag: '"a"', lastModified: DATE }, { etag: 'W/"b"' }, { lastModified: DATE }]) {
      expect(decodeValidators(encodeValidators(v))).toEqual(v);
    }
    expect(decodeValidators('')).toBeUndefined();
    expect(decodeValidators(null)).toBeUndefined();
    expect(decodeValidators('no newline')).toBeUndefined();
    expect(decodeValidators('\n')).toBeUndefined();
  });
});
