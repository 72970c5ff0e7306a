import { describe, expect, test } from '@jest/globals';
import { parseHtml } from '../../../src/html/parse.js';
import { moduleHelpers, runExtractModule, type ExtractFunction, type ModuleContext } from '../../../src/extract/module-runner.js';
import { pageKind } from '../../../src/extract/page-kind.js';
import type { PageRecord } from '../../../src/records/index.js';

const page: PageRecord = {
  url: 'https://x.test/p', final_url: 'https://x.test/p', status: 200, content_type: 'text/html', headers: {}, body: '',
  truncated: false, bytes: 0, fetched_at: 0, elapsed_ms: 0, customer_id: 'default', worker: 'w',
};
const document = parseHtml('<ul><li class="r" data-s="5"> Great </li><li class="r" data-s="1">Bad</li></ul>');
const ctx: ModuleContext = { document, json: null, fields: {}, metadata: null, ...moduleHelpers(document) };
const run = (fn: ExtractFunction, timeoutMs = 200) => runExtractModule(fn, page, ctx, timeoutMs);

describe('runExtractModule', () => {
  test('items from the helpers; one object is one item; { fields, items }; nothing', async () => {
    expect(await run((_p, c) => c.select('.r').map((el) => ({ stars: Number(el.attribs['data-s']), text: c.text(el) }))))
      .toEqual({ ok: true, fields: {}, items: [{ stars: 5, text: 'Great' }, { stars: 1, text: 'Bad' }] });
    expect(await run(async () => ({ a: 1 }))).toEqual({ ok: true, fields: {}, items: [{ a: 1 }] });
    expect(await run(() => ({ fields: { n: 2 }, items: [{ b: 1 }] }))).toEqual({ ok: true, fields: { n: 2 }, items: [{ b: 1 }] });
    expect(await run(() => undefined)).toEqual({ ok: true, fields: {}, items: [] });
  });

  test('a throw, a rejection, a hang and an unusable return are failures with a message, never thrown', async () => {
    expect(await run(() => { throw new Error('boom'); })).toEqual({ ok: false, message: 'the module threw: boom' });
    expect(await run(() => Promise.reject(new TypeError('nope')))).toEqual({ ok: false, message: 'the module threw: nope' });
    expect(await run(() => new Promise(() => undefined), 50)).toEqual({ ok: false, message: 'the module took longer than 50 ms' });
    expect(await run(() => 'text')).toMatchObject({ ok: false, message: expect.stringMatching(/^the module returned string/) });
    expect(await run(() => [{ a: 1 }, 2])).toEqual({ ok: false, message: 'the module returned a list whose item 1 is not an object' });
  });
});

describe('pageKind', () => {
  test('HTML, JSON, sniffed HTML without a type; empty and other types are not extractable', () => {
    expect(pageKind({ content_type: 'text/html; charset=utf-8', body: '<p>x' })).toEqual({ kind: 'html' });
    expect(pageKind({ content_type: 'application/ld+json', body: '{}' })).toEqual({ kind: 'json' });
    expect(pageKind({ content_type: null, body: '  <!DOCTYPE html><p>' })).toEqual({ kind: 'html' });
    expect(pageKind({ content_type: 'text/html', body: '  \n' })).toMatchObject({ kind: 'unsupported', reason: 'empty-body' });
    expect(pageKind({ content_type: 'image/png', body: 'PNG' })).toEqual({ kind: 'unsupported', reason: 'unsupported-content', detail: 'content type image/png is neither HTML nor JSON' });
  });
});
