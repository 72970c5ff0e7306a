/**
 * Reads and validates a rules file (YAML, or JSON, which YAML 2 reads as well) into compiled rule sets. Every
 * mistake is reported with the file's line and a path into it (`rules.yaml:14: rule_sets[0].fields.price.type:
 * 'prise' is not one of ...`), so an invalid file is refused at start, never half-applied. CSS selectors and
 * URL patterns are compiled here, once per run.
 */
import { readFile } from 'node:fs/promises';
import { compile } from 'css-select';
import type { AnyNode } from 'domhandler';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node as YamlNode, type YAMLMap } from 'yaml';
import { UserError, errorMessage } from '../errors.js';
import { FIELD_TYPES, TAKES, type FieldRule, type FieldType, type ItemsRule, type RuleSet, type Rules, type Take } from './rules-types.js';

/** A rules file that cannot be used: the message names the line and the path of the first mistake. */
export class RulesError extends UserError {
  constructor(message: string) {
    super(message, 'extract.invalid-rules');
  }
}

export async function loadRulesFile(path: string): Promise<Rules> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new RulesError(`--rules ${path}: cannot read it: ${errorMessage(err)}`);
  }
  return parseRules(text, path);
}

const RULE_SET_KEYS = ['name', 'hosts', 'url', 'fields', 'items'];
const FIELD_KEYS = ['selector', 'take', 'attr', 'multiple', 'type', 'required'];
const ITEMS_KEYS = ['selector', 'fields'];

/** Parses and validates rules text; `source` names the file in messages. Throws RulesError. */
export function parseRules(text: string, source: string): Rules {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const fail = (node: YamlNode | null | undefined, path: string, reason: string): never => {
    const offset = node?.range?.[0];
    const line = offset === undefined ? '' : `:${lines.linePos(offset).line}`;
    throw new RulesError(`${source}${line}: ${path ? `${path}: ` : ''}${reason}`);
  };
  const parseError = doc.errors[0];
  if (parseError) {
    throw new RulesError(`${source}:${lines.linePos(parseError.pos[0]).line}: not valid YAML/JSON: ${parseError.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (!isMap(root)) return fail(root, '', 'expected a mapping with a rule_sets list');
  checkKeys(root, ['rule_sets'], '', fail);
  const sets = root.get('rule_sets', true) as YamlNode | undefined;
  if (!isSeq(sets) || sets.items.length === 0) return fail(sets ?? root, 'rule_sets', 'expected a non-empty list of rule sets');
  const names = new Set<string>();
  const ruleSets = sets.items.map((node, i) => {
    const set = ruleSet(node as YamlNode, `rule_sets[${i}]`, fail);
    if (names.has(set.name)) fail(node as YamlNode, `rule_sets[${i}].name`, `'${set.name}' is used by an earlier rule set`);
    names.add(set.name);
    return set;
  });
  return { source, ruleSets };
}

type Fail = (node: YamlNode | null | undefined, path: string, reason: string) => never;

function ruleSet(node: YamlNode, path: string, fail: Fail): RuleSet {
  if (!isMap(node)) return fail(node, path, 'expected a mapping (name, hosts, url, fields, items)');
  checkKeys(node, RULE_SET_KEYS, path, fail);
  const name = requiredString(node, 'name', path, fail);
  const hostsNode = node.get('hosts', true) as YamlNode | undefined;
  let hosts: RegExp[] = [];
  if (hostsNode !== undefined) {
    const list = isSeq(hostsNode) ? hostsNode.items as YamlNode[] : [hostsNode];
    hosts = list.map((h, i) => {
      if (!isScalar(h) || typeof h.value !== 'string' || !h.value.trim()) return fail(h, `${path}.hosts[${i}]`, 'expected a host name or glob (shop.test, *.shop.test)');
      return hostGlob(h.value);
    });
  }
  const urlNode = node.get('url', true) as YamlNode | undefined;
  let url: RegExp | undefined;
  if (urlNode !== undefined) {
    if (!isScalar(urlNode) || typeof urlNode.value !== 'string') return fail(urlNode, `${path}.url`, 'expected a regular expression');
    try {
      url = new RegExp(urlNode.value);
    } catch (err) {
      return fail(urlNode, `${path}.url`, `not a regular expression: ${errorMessage(err)}`);
    }
  }
  const fieldsNode = node.get('fields', true) as YamlNode | undefined;
  const itemsNode = node.get('items', true) as YamlNode | undefined;
  if (fieldsNode === undefined && itemsNode === undefined) return fail(node, path, 'has neither fields nor items: it would extract nothing');
  const fields = fieldsNode === undefined ? [] : fieldRules(fieldsNode, `${path}.fields`, fail);
  const items = itemsNode === undefined ? undefined : itemsRule(itemsNode, `${path}.items`, fail);
  return { name, hosts, ...(url ? { url } : {}), fields, ...(items ? { items } : {}) };
}

function itemsRule(node: YamlNode, path: string, fail: Fail): ItemsRule {
  if (!isMap(node)) return fail(node, path, 'expected a mapping (selector, fields)');
  checkKeys(node, ITEMS_KEYS, path, fail);
  const selectorNode = node.get('selector', true) as YamlNode | undefined;
  const selector = requiredString(node, 'selector', path, fail);
  const fieldsNode = node.get('fields', true) as YamlNode | undefined;
  if (fieldsNode === undefined) return fail(node, `${path}.fields`, 'is missing');
  return { selector, query: compileSelector(selector, selectorNode, `${path}.selector`, fail), fields: fieldRules(fieldsNode, `${path}.fields`, fail) };
}

function fieldRules(node: YamlNode, path: string, fail: Fail): FieldRule[] {
  if (!isMap(node) || node.items.length === 0) return fail(node, path, 'expected a mapping of field names to selectors');
  return node.items.map((pair) => {
    const key = pair.key as YamlNode;
    const name = isScalar(key) ? String(key.value) : '';
    if (!/^[A-Za-z_][\w-]*$/.test(name)) return fail(key, `${path}`, `'${name}' is not a field name (letters, digits, _ and -)`);
    return fieldRule(name, pair.value as YamlNode, `${path}.${name}`, fail);
  });
}

function fieldRule(name: string, node: YamlNode | null, path: string, fail: Fail): FieldRule {
  // Shorthand: `title: h1` is the selector's text.
  if (isScalar(node) && typeof node.value === 'string') {
    return { name, selector: node.value, take: 'text', multiple: false, type: 'string', required: false, query: compileSelector(node.value, node, path, fail) };
  }
  if (!isMap(node)) return fail(node, path, 'expected a selector, or a mapping (selector, take, attr, multiple, type, required)');
  checkKeys(node, FIELD_KEYS, path, fail);
  const selectorNode = node.get('selector', true) as YamlNode | undefined;
  const selector = requiredString(node, 'selector', path, fail);
  const attrName = optionalString(node, 'attr', path, fail);
  const take = (optionalChoice(node, 'take', TAKES, path, fail) ?? (attrName ? 'attr' : 'text')) as Take;
  if (take === 'attr' && !attrName) return fail(node, `${path}.attr`, "is missing: 'take: attr' needs the attribute's name");
  if (attrName && take !== 'attr') return fail(node.get('attr', true) as YamlNode, `${path}.attr`, `only applies with take: attr (this field takes ${take})`);
  return {
    name, selector, take, ...(attrName ? { attr: attrName.toLowerCase() } : {}),
    multiple: optionalBoolean(node, 'multiple', path, fail) ?? false,
    type: (optionalChoice(node, 'type', FIELD_TYPES, path, fail) ?? 'string') as FieldType,
    required: optionalBoolean(node, 'required', path, fail) ?? false,
    query: compileSelector(selector, selectorNode, `${path}.selector`, fail),
  };
}

function compileSelector(selector: string, node: YamlNode | null | undefined, path: string, fail: Fail): FieldRule['query'] {
  try {
    return compile<AnyNode, AnyNode>(selector);
  } catch (err) {
    return fail(node, path, `'${selector}' is not a CSS selector: ${errorMessage(err)}`);
  }
}

function checkKeys(node: YAMLMap, allowed: readonly string[], path: string, fail: Fail): void {
  for (const pair of node.items) {
    const key = pair.key as YamlNode;
    const name = isScalar(key) ? String(key.value) : '?';
    if (!allowed.includes(name)) fail(key, path ? `${path}.${name}` : name, `unknown key (expected one of ${allowed.join(', ')})`);
  }
}

function requiredString(node: YAMLMap, key: string, path: string, fail: Fail): string {
  const value = node.get(key, true) as YamlNode | undefined;
  if (value === undefined) return fail(node, `${path}.${key}`, 'is missing');
  if (!isScalar(value) || typeof value.value !== 'string' || !value.value.trim()) return fail(value, `${path}.${key}`, 'expected a non-empty string');
  return value.value;
}

function optionalString(node: YAMLMap, key: string, path: string, fail: Fail): string | undefined {
  const value = node.get(key, true) as YamlNode | undefined;
  if (value === undefined) return undefined;
  if (!isScalar(value) || typeof value.value !== 'string' || !value.value.trim()) return fail(value, `${path}.${key}`, 'expected a non-empty string');
  return value.value;
}

function optionalBoolean(node: YAMLMap, key: string, path: string, fail: Fail): boolean | undefined {
  const value = node.get(key, true) as YamlNode | undefined;
  if (value === undefined) return undefined;
  if (!isScalar(value) || typeof value.value !== 'boolean') return fail(value, `${path}.${key}`, 'expected true or false');
  return value.value;
}

function optionalChoice(node: YAMLMap, key: string, choices: readonly string[], path: string, fail: Fail): string | undefined {
  const value = node.get(key, true) as YamlNode | undefined;
  if (value === undefined) return undefined;
  if (!isScalar(value) || typeof value.value !== 'string' || !choices.includes(value.value)) {
    return fail(value, `${path}.${key}`, `'${isScalar(value) ? String(value.value) : '?'}' is not one of ${choices.join(', ')}`);
  }
  return value.value;
}

/** `*.shop.test` matches any subdomain of shop.test; `shop.test` only itself. Case-insensitive, whole name. */
function hostGlob(glob: string): RegExp {
  const escaped = glob.trim().toLowerCase().split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*');
  return new RegExp(`^${escaped}$`);
}
