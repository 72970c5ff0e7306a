/** Pages for `kscrape extract` tests and its benchmark: the fixtures in test/fixtures/extract, and generated ones. */
import { readFileSync } from 'node:fs';

export const FIXTURES = new URL('../fixtures/extract/', import.meta.url);
export const fixtureBytes = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));
export const fixtureText = (name: string): string => fixtureBytes(name).toString('utf8');
export const SHOP_RULES_PATH = new URL('shop-rules.yaml', FIXTURES).pathname;

/** A category page of exactly `bytes` bytes: list.html's first item repeated (numbered), padded with a comment. */
export function bigListPage(bytes: number): { html: string; items: number } {
  const head = '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Big list</title></head><body><h1>All</h1><ul class="grid">\n';
  const tail = '</ul></body></html>\n';
  const item = (i: number) => `<li class="product"><a class="link" href="/p/item-${i}"><span class="title">Item number ${i}</span></a><span class="price">$${i}.99</span><span class="rating">4.5</span></li>\n`;
  const parts: string[] = [head];
  let size = head.length + tail.length + 7; // 7: the padding comment's <!-- -->
  let items = 0;
  while (size + item(items + 1).length < bytes) {
    items++;
    const text = item(items);
    parts.push(text);
    size += text.length;
  }
  parts.push(`<!--${' '.repeat(bytes - size)}-->`, tail);
  return { html: parts.join(''), items };
}

/**
 * A product page of realistic size (~30–80 KB: navigation, a long description, reviews, scripts), numbered `n`,
 * with the fields the bench and the kill test take: h1.product-title, .price, img.main, .tag, JSON-LD.
 */
export function productPage(n: number): string {
  const filler = (k: number) => Array.from({ length: k }, (_, i) => `<li><a href="/c/cat-${i}">Category ${i}</a></li>`).join('');
  const reviews = Array.from({ length: 20 + (n % 40) }, (_, i) =>
    `<div class="review" data-stars="${1 + ((n + i) % 5)}"><h4>Review ${i} of product ${n}</h4><p>${'Solid shoe, fits well, would buy again. '.repeat(8 + (i % 5))}</p></div>`).join('\n');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Product ${n} – Shop</title>
<meta name="description" content="Product ${n}, a fine thing."><link rel="canonical" href="/p/${n}">
<meta property="og:title" content="Product ${n}"><meta property="og:type" content="product">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"Product ${n}","sku":"SKU-${n}","offers":{"@type":"Offer","price":"${(n % 500) + 0.99}","priceCurrency":"EUR"}}</script>
<script>window.dataLayer=[${'{"event":"view"},'.repeat(50)}{}];</script>
<style>${'.x{color:red}'.repeat(100)}</style></head><body>
<nav><ul>${filler(80)}</ul></nav>
<main><div class="product" itemscope itemtype="https://schema.org/Product">
<h1 class="product-title" itemprop="name">Product ${n}</h1>
<img class="main" src="/img/${n}.jpg" itemprop="image">
<span class="price">€${(n % 500) + 0.99}</span>
<ul class="tags"><li class="tag">tag-${n % 7}</li><li class="tag">tag-${n % 11}</li><li class="tag">tag-${n % 13}</li></ul>
<div class="description">${'<p>This product is described at length, as shops do. It has features and benefits and materials.</p>'.repeat(30)}</div>
</div>
<section class="reviews">${reviews}</section></main>
<footer><ul>${filler(60)}</ul></footer></body></html>`;
}
