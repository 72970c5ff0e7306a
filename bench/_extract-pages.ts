/**
 * The stored pages of `npm run bench -- extract` (and of the extract --eos kill test): product pages of a
 * realistic size and shape, numbered so each is different.
 */

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

/** The fields both sides take from every page: the shop rules the bench hands to `kscrape extract --rules`. */
export const BENCH_RULES = `rule_sets:
  - name: product
    fields:
      name: { selector: h1.product-title, required: true }
      price: { selector: .price, type: price, required: true }
      image: { selector: img.main, attr: src, type: url }
      tags: { selector: .tag, multiple: true }
      stars: { selector: .review, attr: data-stars, type: number, multiple: true }
`;
