/**
 * Applies compiled rules to a parsed page: picks the first rule set that matches the page, takes its fields
 * and items. Pure over the document (parsed once by the caller, however many fields there are); selectors
 * were compiled when the rules loaded.
 */
import { selectAll, selectOne } from 'css-select';
import type { AnyNode, Document, Element } from 'domhandler';
import { getInnerHTML, getOuterHTML } from 'domutils';
import type { ExtractionIssue } from './builtin.js';
import { convert, type FieldValue } from './field-types.js';
import type { FieldRule, RuleSet, Rules } from './rules-types.js';
import { cleanText } from './text.js';

export type Fields = Record<string, FieldValue | FieldValue[]>;

export interface RulesResult {
  ruleSet: string | null;
  fields: Fields;
  items: Fields[];
  issues: ExtractionIssue[];
  /** The item field that names an item (its first single `url`-typed field), for per-item record keys. */
  itemUrlField?: string;
}

/** The rule set for a page: the first whose hosts and URL pattern match. */
export function chooseRuleSet(rules: Rules, pageUrl: string): RuleSet | undefined {
  let host = '';
  try {
    host = new URL(pageUrl).hostname;
  } catch {
    return undefined;
  }
  return rules.ruleSets.find((set) => (set.hosts.length === 0 || set.hosts.some((h) => h.test(host))) && (!set.url || set.url.test(pageUrl)));
}

export function applyRules(rules: Rules | undefined, doc: Document, pageUrl: string): RulesResult {
  const set = rules ? chooseRuleSet(rules, pageUrl) : undefined;
  if (!set) return { ruleSet: null, fields: {}, items: [], issues: [] };
  const issues: ExtractionIssue[] = [];
  const fields = takeFields(set.fields, doc, pageUrl, 'fields', issues);
  const items: Fields[] = [];
  if (set.items) {
    const elements = selectAll(set.items.query, doc) as AnyNode[];
    elements.forEach((el, i) => {
      const before = issues.length;
      const item = takeFields(set.items!.fields, el, pageUrl, `items[${i}]`, issues);
      // An item missing a required field is not an item (an ad slot, a placeholder): reported and left out.
      const missing = issues.slice(before).some((issue) => issue.message === MISSING);
      if (!missing) items.push(item);
    });
  }
  const itemUrlField = set.items?.fields.find((f) => f.type === 'url' && !f.multiple)?.name;
  return { ruleSet: set.name, fields, items, issues, ...(itemUrlField ? { itemUrlField } : {}) };
}

const MISSING = 'required field not found';

function takeFields(rules: FieldRule[], root: AnyNode, pageUrl: string, where: string, issues: ExtractionIssue[]): Fields {
  const out: Fields = {};
  for (const rule of rules) {
    const path = `${where}.${rule.name}`;
    if (rule.multiple) {
      const values: FieldValue[] = [];
      for (const el of selectAll(rule.query, root) as AnyNode[]) {
        const value = valueOf(rule, el, pageUrl, path, issues);
        if (value !== null) values.push(value);
      }
      if (rule.required && values.length === 0) issues.push({ where: path, message: MISSING });
      out[rule.name] = values;
    } else {
      const el = selectOne(rule.query, root) as AnyNode | null;
      const value = el ? valueOf(rule, el, pageUrl, path, issues) : null;
      if (rule.required && value === null) issues.push({ where: path, message: MISSING });
      out[rule.name] = value;
    }
  }
  return out;
}

function valueOf(rule: FieldRule, node: AnyNode, pageUrl: string, path: string, issues: ExtractionIssue[]): FieldValue {
  const el = node as Element;
  let raw: string | undefined;
  switch (rule.take) {
    case 'text': raw = cleanText(el); break;
    case 'html': raw = getInnerHTML(el); break;
    case 'outer-html': raw = getOuterHTML(el); break;
    case 'attr': raw = el.attribs?.[rule.attr!]; break;
  }
  if (raw === undefined || (raw === '' && rule.type !== 'string')) return null;
  if (raw === '') return null;
  const converted = convert(raw, rule.type, pageUrl);
  if ('error' in converted) {
    issues.push({ where: path, message: converted.error });
    return null;
  }
  return converted.value;
}
