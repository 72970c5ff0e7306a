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

export { productPage } from '../../bench/_extract-pages.js';
