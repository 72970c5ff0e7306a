/**
 * What a rules file says, once validated (./rules-loader.ts reads and checks it; ./rule-engine.ts applies it).
 *
 * ```yaml
 * rule_sets:
 *   - name: shop-product          # written into each extraction record as rule_set
 *     hosts: [shop.test, "*.shop.test"]   # optional: the page's host (glob); all hosts when absent
 *     url: "/product/"            # optional: a regular expression the page URL must match
 *     fields:
 *       name: h1.title            # shorthand: the selector's text
 *       price: { selector: .price, type: price, required: true }
 *       images: { selector: img.gallery, attr: src, type: url, multiple: true }
 *     items:                      # optional: a list page, one item per match
 *       selector: li.product
 *       fields: { title: .title, link: { selector: a, attr: href, type: url } }
 * ```
 * The first rule set that matches a page is used.
 */
import type { compile } from 'css-select';
import type { AnyNode } from 'domhandler';

/** A selector compiled once by css-select (its CompiledQuery type is not exported). */
export type CompiledSelector = ReturnType<typeof compile<AnyNode, AnyNode>>;

export const FIELD_TYPES = ['string', 'number', 'integer', 'price', 'url', 'date', 'boolean'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** `text`: the element's text, whitespace collapsed; `html`: its inner HTML; `outer-html`; `attr`: one attribute. */
export const TAKES = ['text', 'html', 'outer-html', 'attr'] as const;
export type Take = (typeof TAKES)[number];

export interface FieldRule {
  name: string;
  selector: string;
  take: Take;
  /** With `take: attr`. */
  attr?: string;
  /** Every match as a list (else the first match). */
  multiple: boolean;
  type: FieldType;
  /** A page (or item) without it is reported in the record's errors (an item without it is dropped). */
  required: boolean;
  /** Compiled once when the rules load. */
  query: CompiledSelector;
}

export interface ItemsRule {
  selector: string;
  query: CompiledSelector;
  fields: FieldRule[];
}

export interface RuleSet {
  name: string;
  /** Host globs (`*.shop.test`); empty: every host. */
  hosts: RegExp[];
  url?: RegExp;
  fields: FieldRule[];
  items?: ItemsRule;
}

export interface Rules {
  /** The file they came from, for messages. */
  source: string;
  ruleSets: RuleSet[];
}
