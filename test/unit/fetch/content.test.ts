import { describe, expect, test } from '@jest/globals';
import { bodyAsUtf8, sniffHtmlCharset } from '../../../src/fetch/content.js';

describe('sniffHtmlCharset', () => {
  test('a meta charset, or the http-equiv form, in the first 1024 bytes', () => {
    expect(sniffHtmlCharset(Buffer.from('<html><head><meta charset="Windows-1252"><title>x</title>'))).toBe('windows-1252');
    expect(sniffHtmlCharset(Buffer.from("<meta http-equiv='Content-Type' content='text/html; charset=ISO-8859-1'>"))).toBe('iso-8859-1');
    expect(sniffHtmlCharset(Buffer.from('<meta charset=shift_jis>'))).toBe('shift_jis');
  });

  test('none declared, a charset word in another meta, or a declaration too late', () => {
    expect(sniffHtmlCharset(Buffer.from('<html><head><title>x</title>'))).toBeNull();
    expect(sniffHtmlCharset(Buffer.from('<meta name="description" content="set charset=koi8-r in your editor">'))).toBeNull();
    expect(sniffHtmlCharset(Buffer.from(`<!-- ${'x'.repeat(1100)} --><meta charset="windows-1252">`))).toBeNull();
  });

  test('with it, a windows-1252 body decodes right', () => {
    const bytes = Buffer.from('<meta charset="windows-1252"><p>Caf\xe9 10\x80</p>', 'latin1');
    expect(bodyAsUtf8(bytes, sniffHtmlCharset(bytes), false).toString()).toBe('<meta charset="windows-1252"><p>Café 10€</p>');
  });
});
