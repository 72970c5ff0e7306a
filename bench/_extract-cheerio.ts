/**
 * The peer of `bench/extract.ts`: what a Crawlee CheerioCrawler request handler does with a page, in one
 * process with no Kafka: `cheerio.load(body)` and selectors, over the same stored pages read from an NDJSON
 * file of page records (`node dist/bench/_extract-cheerio.js <pages.ndjson>`). It takes the same fields as the
 * bench's rules plus what kscrape's built-in extraction gives (title, description, canonical, OpenGraph,
 * JSON-LD, headings, link counts), and serializes each result as kscrape does. Prints one JSON line:
 * {pages, seconds, items, bytes}.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import * as cheerio from 'cheerio';

function priceOf(text: string): { amount: number; currency: string | null } | null {
  const m = /\d[\d.,]*/.exec(text);
  if (!m) return null;
  return { amount: Number(m[0].replace(/,/g, '')), currency: text.includes('€') ? 'EUR' : text.includes('$') ? 'USD' : null };
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: _extract-cheerio.js <pages.ndjson>');
  const t0 = performance.now();
  let pages = 0;
  let bytes = 0;
  let stars = 0;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    const page = JSON.parse(line) as { url: string; final_url: string; body: string };
    const $ = cheerio.load(page.body);
    const base = page.final_url;
    const abs = (href: string | undefined) => (href ? new URL(href, base).href : null);
    const host = new URL(base).hostname;
    let internal = 0;
    let external = 0;
    $('a[href]').each((_, el) => {
      const href = $(el).attr('href')!;
      if (/^\s*(#|javascript:|mailto:)/i.test(href)) return;
      if (new URL(href, base).hostname === host) internal++;
      else external++;
    });
    const og: Record<string, string> = {};
    $('meta[property^="og:"]').each((_, el) => { og[$(el).attr('property')!.slice(3)] = $(el).attr('content') ?? ''; });
    const jsonLd: unknown[] = [];
    $('script[type="application/ld+json"]').each((_, el) => {
      try { jsonLd.push(JSON.parse($(el).text())); } catch { /* reported by kscrape; skipped here */ }
    });
    const record = {
      url: page.url,
      fields: {
        name: $('h1.product-title').first().text().trim(),
        price: priceOf($('.price').first().text()),
        image: abs($('img.main').attr('src')),
        tags: $('.tag').map((_, el) => $(el).text().trim()).get(),
        stars: $('.review').map((_, el) => Number($(el).attr('data-stars'))).get(),
      },
      page: {
        title: $('title').first().text().trim(),
        description: $('meta[name="description"]').attr('content') ?? null,
        canonical_url: abs($('link[rel="canonical"]').attr('href')),
        opengraph: og,
        json_ld: jsonLd,
        headings: $('h1, h2, h3, h4, h5, h6').map((_, el) => ({ level: Number(el.tagName[1]), text: $(el).text().trim() })).get().slice(0, 100),
        links: { internal, external },
      },
    };
    stars += record.fields.stars.length;
    bytes += JSON.stringify(record).length;
    pages++;
  }
  process.stdout.write(`${JSON.stringify({ pages, seconds: (performance.now() - t0) / 1000, items: stars, bytes })}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
