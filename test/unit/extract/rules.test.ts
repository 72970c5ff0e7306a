import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { parseHtml } from '../../../src/html/parse.js';
import { parseRules } from '../../../src/extract/rules-loader.js';
import { applyRules } from '../../../src/extract/rule-engine.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/extract/${name}`, import.meta.url), 'utf8');
const shopRules = () => parseRules(fixture('shop-rules.yaml'), 'shop-rules.yaml');

describe('rules on pages', () => {
  test('a product page: every kind of field, typed', () => {
    const result = applyRules(shopRules(), parseHtml(fixture('product.html')), 'https://shop.test/p/trail-runner-2');
    expect(result.ruleSet).toBe('product');
    expect(result.fields).toEqual({
      name: 'Trail Runner 2',
      price: { amount: 129.99, currency: 'GBP' },
      image: 'https://shop.test/img/tr2-1.jpg',
      tags: ['trail', 'running', 'waterproof'],
      description: '<p>Light <b>and</b> grippy.</p>',
      released: '2026-03-01',
      in_stock: true,
      sku: 'TR2-42',
      gtin: null,
    });
    expect(result.items).toEqual([]);
    expect(result.issues).toEqual([]);
  });

  test('a list page of 50 products: 45 items, the 5 sold-out ones without a price reported and left out', () => {
    const result = applyRules(shopRules(), parseHtml(fixture('list.html')), 'https://shop.test/c/shoes');
    expect(result.ruleSet).toBe('category');
    expect(result.fields).toEqual({ heading: 'Shoes', next_page: 'https://shop.test/c/shoes?page=2' });
    expect(result.items).toHaveLength(45);
    expect(result.items[0]).toEqual({ title: 'Item number 1', link: 'https://shop.test/p/item-1', price: { amount: 3.01, currency: 'USD' }, rating: 1.5 });
    expect(result.items[44]).toEqual({ title: 'Item number 49', link: 'https://shop.test/p/item-49', price: { amount: 147.49, currency: 'USD' }, rating: 4.5 });
    expect(result.issues).toEqual([10, 20, 30, 40, 50].map((n) => ({ where: `items[${n - 1}].price`, message: 'required field not found' })));
  });

  test('the first matching rule set is used; a page no rule set matches gets none', () => {
    const doc = parseHtml(fixture('product.html'));
    expect(applyRules(shopRules(), doc, 'https://eu.shop.test/p/x').ruleSet).toBe('product');
    expect(applyRules(shopRules(), doc, 'https://other.test/p/x')).toEqual({ ruleSet: null, fields: {}, items: [], issues: [] });
    expect(applyRules(undefined, doc, 'https://shop.test/p/x').ruleSet).toBeNull();
  });

  test('a required field that is missing, and a value that does not convert, are issues; the field is null', () => {
    const rules = parseRules('rule_sets:\n  - name: r\n    fields:\n      price: { selector: .nope, required: true }\n      n: { selector: h1, type: number }\n', 'r.yaml');
    const result = applyRules(rules, parseHtml('<h1>no digits</h1>'), 'https://x.test/');
    expect(result.fields).toEqual({ price: null, n: null });
    expect(result.issues).toEqual([{ where: 'fields.price', message: 'required field not found' }, { where: 'fields.n', message: "'no digits' is not a number" }]);
  });

  test('JSON rules work the same as YAML', () => {
    const rules = parseRules('{"rule_sets": [{"name": "j", "fields": {"t": "title"}}]}', 'r.json');
    expect(applyRules(rules, parseHtml('<title>Hi</title>'), 'https://x.test/').fields).toEqual({ t: 'Hi' });
  });
});

describe('invalid rules are refused with the line and the reason', () => {
  const refuse = (text: string) => {
    try {
      parseRules(text, 'rules.yaml');
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('accepted');
  };
  test.each([
    ['rule_sets:\n  - name: a\n    fields:\n      price: { selector: .p, type: prise }\n', 'rules.yaml:4: rule_sets[0].fields.price.type: \'prise\' is not one of string, number, integer, price, url, date, boolean'],
    ['rule_sets:\n  - name: a\n    fields:\n      x: "div[[["\n', "rules.yaml:4: rule_sets[0].fields.x: 'div[[[' is not a CSS selector"],
    ['rule_sets:\n  - name: a\n    url: "(["\n    fields: { t: title }\n', 'rules.yaml:3: rule_sets[0].url: not a regular expression'],
    ['rule_sets:\n  - name: a\n    fields: { t: title }\n  - name: a\n    fields: { t: h1 }\n', "rules.yaml:4: rule_sets[1].name: 'a' is used by an earlier rule set"],
    ['rule_sets:\n  - name: a\n    feilds: { t: title }\n', 'rules.yaml:3: rule_sets[0].feilds: unknown key (expected one of name, hosts, url, fields, items)'],
    ['rule_sets:\n  - name: a\n    fields:\n      img: { selector: img, take: attr }\n', "rules.yaml:4: rule_sets[0].fields.img.attr: is missing: 'take: attr' needs the attribute's name"],
    ['rule_sets:\n  - name: a\n    fields:\n      t: { selector: h1, required: yes please }\n', 'rules.yaml:4: rule_sets[0].fields.t.required: expected true or false'],
    ['rule_sets:\n  - name: a\n', 'rules.yaml:2: rule_sets[0]: has neither fields nor items: it would extract nothing'],
    ['rule_sets: []\n', 'rules.yaml:1: rule_sets: expected a non-empty list of rule sets'],
    ['rule_sets:\n  - name: a\n    items:\n      selector: li\n', 'rules.yaml:4: rule_sets[0].items.fields: is missing'],
    ['rule_sets:\n  - name: a\n   fields: x\n', 'rules.yaml:3: not valid YAML/JSON'],
    ['{"rule_sets": [\n {"name": "a",\n  "fields": {"t": {"selector": "h1", "multiple": "yes"}}}]}', 'rules.yaml:3: rule_sets[0].fields.t.multiple: expected true or false'],
  ])('%#', (text, message) => {
    expect(refuse(text)).toContain(message);
  });
});
