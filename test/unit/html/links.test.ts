import { describe, expect, test } from '@jest/globals';
import { parseHtml } from '../../../src/html/parse.js';
import { extractLinks, robotsHeader } from '../../../src/html/links.js';

const OPTS = { maxUrlLength: 4096, maxLinks: 1000 };
const links = (html: string, pageUrl = 'http://site.test/dir/page.html', headers: Record<string, string> = {}, opts = OPTS) =>
  extractLinks(parseHtml(html), pageUrl, headers, opts);

describe('extractLinks', () => {
  test('a and area hrefs resolved against the page URL, normalized as produce does, fragments dropped, deduplicated', () => {
    const r = links(`<a href="b.html">b</a><a href="/c#top">c</a><a href="/c#other">c again</a>
      <map><area href="HTTP://Site.TEST:80/d"></map><a href="https://other.test/x?q=1">x</a>`);
    expect(r.follow).toEqual(['http://site.test/dir/b.html', 'http://site.test/c', 'http://site.test/d', 'https://other.test/x?q=1']);
    expect(r.refused).toBe(0);
  });

  test('non-http(s) and broken targets are refused, not followed', () => {
    const r = links(`<a href="mailto:a@b.c">m</a><a href="javascript:void(0)">j</a><a href="ftp://f.test/">f</a>
      <a href="http://[bad">b</a><a href="tel:123">t</a><a href="ok">ok</a>`);
    expect(r.follow).toEqual(['http://site.test/dir/ok']);
    expect(r.refused).toBe(5);
  });

  test('<base href> changes the resolution base (itself relative to the page); only the first counts', () => {
    const r = links('<head><base href="/root/"><base href="/ignored/"></head><a href="x">x</a>');
    expect(r.follow).toEqual(['http://site.test/root/x']);
    expect(links('<base href="javascript:alert(1)"><a href="x">x</a>').follow).toEqual(['http://site.test/dir/x']);
  });

  test('rel=nofollow links are kept apart; a URL also linked without it is followed', () => {
    const r = links('<a rel="external NoFollow" href="/n">n</a><a rel="nofollow" href="/both">1</a><a href="/both">2</a>');
    expect(r.follow).toEqual(['http://site.test/both']);
    expect(r.nofollow).toEqual(['http://site.test/n']);
  });

  test('iframe/frame src, link rel=next/prev and meta refresh are followed; images, scripts and stylesheets are not', () => {
    const r = links(`<link rel="next" href="?page=2"><link rel="prev" href="?page=0"><link rel="stylesheet" href="/s.css">
      <meta http-equiv="refresh" content="5; URL='/moved'"><iframe src="/frame"></iframe><img src="/i.png"><script src="/s.js"></script>`);
    expect(r.follow.sort()).toEqual(['http://site.test/dir/page.html?page=0', 'http://site.test/dir/page.html?page=2', 'http://site.test/frame', 'http://site.test/moved']);
  });

  test('canonical from <link rel=canonical>, else from the Link header; resolved and normalized', () => {
    expect(links('<link rel="canonical" href="/Canon#x">').canonical).toBe('http://site.test/Canon');
    expect(links('<p>no canonical</p>').canonical).toBeNull();
    expect(links('', undefined, { link: '</from-header>; rel="canonical", </p2>; rel=next' })).toMatchObject({
      canonical: 'http://site.test/from-header', follow: ['http://site.test/p2'],
    });
  });

  test('meta robots directives: nofollow, noindex, none; name=kscrape counts, other agents do not', () => {
    expect(links('<meta name="robots" content="NOINDEX, follow">').meta).toEqual({ noindex: true, nofollow: false });
    expect(links('<meta name="ROBOTS" content="none">').meta).toEqual({ noindex: true, nofollow: true });
    expect(links('<meta name="kscrape" content="nofollow">').meta).toEqual({ noindex: false, nofollow: true });
    expect(links('<meta name="googlebot" content="nofollow,noindex">').meta).toEqual({ noindex: false, nofollow: false });
  });

  test('X-Robots-Tag: plain directives apply; agent-scoped ones only for kscrape', () => {
    expect(links('', undefined, { 'x-robots-tag': 'noindex' }).header).toEqual({ noindex: true, nofollow: false });
    expect(robotsHeader('googlebot: nofollow, noindex')).toEqual({ noindex: false, nofollow: false });
    expect(robotsHeader('googlebot: noindex, kscrape: nofollow')).toEqual({ noindex: false, nofollow: true });
    expect(robotsHeader('unavailable_after: 25 Jun 2010 15:00:00 PST')).toEqual({ noindex: false, nofollow: false });
    expect(robotsHeader(undefined)).toEqual({ noindex: false, nofollow: false });
  });

  test('too-long URLs are refused and links past maxLinks are counted as dropped', () => {
    const long = `/${'a'.repeat(100)}`;
    expect(links(`<a href="${long}">l</a><a href="/s">s</a>`, undefined, {}, { maxUrlLength: 50, maxLinks: 10 })).toMatchObject({ follow: ['http://site.test/s'], refused: 1 });
    const many = Array.from({ length: 20 }, (_, i) => `<a href="/p${i}">p</a>`).join('');
    const r = links(many, undefined, {}, { maxUrlLength: 4096, maxLinks: 5 });
    expect(r.follow).toHaveLength(5);
    expect(r.dropped).toBe(15);
  });

  test('deeply nested markup does not overflow the stack', () => {
    const html = `${'<div>'.repeat(20000)}<a href="/deep">d</a>${'</div>'.repeat(20000)}`;
    expect(links(html).follow).toEqual(['http://site.test/deep']);
  });
});
