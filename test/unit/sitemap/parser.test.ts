import { describe, expect, test } from '@jest/globals';
import { SitemapParser } from '../../../src/sitemap/parser.js';
import type { SitemapChildEntry, SitemapUrlEntry } from '../../../src/sitemap/types.js';
import { sitemapIndex, urlset } from './fixtures.js';

function parse(chunks: string[]) {
  const urls: SitemapUrlEntry[] = [];
  const children: SitemapChildEntry[] = [];
  const parser = new SitemapParser({ url: (e) => urls.push(e), child: (e) => children.push(e) });
  for (const c of chunks) parser.write(c);
  parser.end();
  return { kind: parser.kind, urls, children };
}

/** The text cut into pieces of `size` characters, so every element and entity is split somewhere. */
const pieces = (text: string, size: number) => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));

describe('SitemapParser', () => {
  test('a urlset yields every URL with its fields, whatever the chunking', () => {
    const xml = urlset([
      { loc: 'http://shop.test/a?x=1&amp;y=2', lastmod: '2026-11-01', changefreq: 'daily', priority: '0.8' },
      { loc: ' http://shop.test/b ' },
    ]);
    for (const size of [1, 7, 1000]) {
      const r = parse(pieces(xml, size));
      expect(r.kind).toBe('urlset');
      expect(r.urls).toEqual([
        { loc: 'http://shop.test/a?x=1&y=2', lastmod: '2026-11-01', changefreq: 'daily', priority: '0.8' },
        { loc: 'http://shop.test/b' },
      ]);
      expect(r.children).toEqual([]);
    }
  });

  test('a sitemapindex yields its children; CDATA, prefixes and extensions are handled', () => {
    const r = parse([sitemapIndex([{ loc: 'http://shop.test/s1.xml.gz', lastmod: '2026-10-01T10:00:00+00:00' }, { loc: 'http://shop.test/s2.xml' }])]);
    expect(r.kind).toBe('sitemapindex');
    expect(r.children).toEqual([{ loc: 'http://shop.test/s1.xml.gz', lastmod: '2026-10-01T10:00:00+00:00' }, { loc: 'http://shop.test/s2.xml' }]);
    const prefixed = parse([`<sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="x"><sm:url><sm:loc><![CDATA[http://shop.test/c]]></sm:loc>`
      + '<image:image><image:loc>http://cdn.test/i.png</image:loc></image:image></sm:url></sm:urlset>']);
    expect(prefixed.urls).toEqual([{ loc: 'http://shop.test/c' }]);
  });

  test('a text sitemap is one URL per line (BOM, CRLF and blank lines tolerated)', () => {
    const r = parse(['\uFEFFhttp://shop.test/a\r\n\r\nhttp://sh', 'op.test/b\nhttp://shop.test/c']);
    expect(r.kind).toBe('text');
    expect(r.urls.map((u) => u.loc)).toEqual(['http://shop.test/a', 'http://shop.test/b', 'http://shop.test/c']);
  });

  test('malformed XML and a foreign root element throw', () => {
    expect(() => parse(['<urlset><url><loc>http://shop.test/a</loc></url>'])).toThrow();
    expect(() => parse(['<html><body>not a sitemap</body></html>'])).toThrow(/neither urlset nor sitemapindex/);
    expect(() => parse(['<urlset><url><loc>x</url></urlset>'])).toThrow();
  });

  test('DTD entities are not expanded (no billion laughs): a file that uses one is malformed', () => {
    expect(() => parse(['<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><urlset><url><loc>&b;</loc></url></urlset>'])).toThrow(/undefined entity/);
  });

  test('an endless <loc> is cut instead of held whole', () => {
    const r = parse(['<urlset><url><loc>http://shop.test/', 'a'.repeat(100_000), '</loc></url></urlset>']);
    expect(r.urls[0]!.loc.length).toBeLessThanOrEqual(16 * 1024 + 100);
  });
});
