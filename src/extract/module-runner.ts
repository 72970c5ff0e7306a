/**
 * `--module ./extract.mjs`: user code for what rules cannot say. The module exports a function (default, or
 * named `extract`) that gets the page and the already-parsed document and returns items:
 *
 * ```js
 * export default function extract(page, { document, select, selectOne, text, fields, metadata }) {
 *   return select('.review').map((el) => ({ stars: Number(el.attribs['data-stars']), text: text(el) }));
 * }
 * ```
 * It may be async. It returns an array of items, one item (an object), `{ fields, items }` to add fields too,
 * or nothing. A module that throws, rejects, returns something else or takes longer than the timeout fails
 * that page only (`extract-failed` with the message); the consumer goes on. It runs in a thread of its own
 * (module-pool.ts, module-worker.ts), where the page is parsed and the rules applied, so that code which never
 * yields (an endless synchronous loop) is terminated at the timeout like code that awaits forever. This file is
 * what runs inside the thread: loading the module, its helpers, one call with its deadline.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { selectAll, selectOne as cssSelectOne } from 'css-select';
import type { AnyNode, Document, Element } from 'domhandler';
import { UserError, errorMessage } from '../errors.js';
import type { PageRecord } from '../records/index.js';
import type { PageMetadata } from './builtin.js';
import type { Fields } from './rule-engine.js';
import { cleanText } from './text.js';

export interface ModuleContext {
  /** The parsed HTML document (null for a JSON page: see `json`). */
  document: Document | null;
  /** A JSON page's parsed body (null for HTML). */
  json: unknown;
  /** Every element matching a CSS selector, under `root` (default: the document). */
  select(selector: string, root?: AnyNode): Element[];
  selectOne(selector: string, root?: AnyNode): Element | null;
  /** An element's text, whitespace collapsed. */
  text(node: AnyNode | AnyNode[]): string;
  /** What the rules took (read-only to the module). */
  fields: Fields;
  metadata: PageMetadata | null;
}

export type ExtractFunction = (page: PageRecord, ctx: ModuleContext) => unknown;

export type ModuleResult = { ok: true; fields: Record<string, unknown>; items: Record<string, unknown>[] } | { ok: false; message: string };

/** Imports the module and finds its function; refused at start (UserError) when it cannot be used. */
export async function loadExtractModule(path: string): Promise<{ name: string; fn: ExtractFunction }> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(resolve(path)).href) as Record<string, unknown>;
  } catch (err) {
    throw new UserError(`--module ${path}: cannot load it: ${errorMessage(err).split('\n')[0]}`, 'extract.bad-module');
  }
  const fn = typeof mod.default === 'function' ? mod.default : mod.extract;
  if (typeof fn !== 'function') throw new UserError(`--module ${path}: exports no function (export default function, or export function extract)`, 'extract.bad-module');
  return { name: path.split(/[\\/]/).pop() ?? path, fn: fn as ExtractFunction };
}

/** The helpers handed to the module for one page's document. */
export function moduleHelpers(document: Document | null): Pick<ModuleContext, 'select' | 'selectOne' | 'text'> {
  return {
    select: (selector, root) => {
      const scope = root ?? document;
      return scope ? selectAll(selector, scope) as Element[] : [];
    },
    selectOne: (selector, root) => {
      const scope = root ?? document;
      return scope ? cssSelectOne(selector, scope) as Element | null : null;
    },
    text: (node) => cleanText(node),
  };
}

/** Runs the module on one page with a deadline; never throws. */
export async function runExtractModule(fn: ExtractFunction, page: PageRecord, ctx: ModuleContext, timeoutMs: number): Promise<ModuleResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const returned = await Promise.race([
      Promise.resolve().then(() => fn(page, ctx)),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new ModuleTimeout(timeoutMs)), timeoutMs); }),
    ]);
    return normalize(returned);
  } catch (err) {
    return { ok: false, message: err instanceof ModuleTimeout ? err.message : `the module threw: ${errorMessage(err)}` };
  } finally {
    clearTimeout(timer);
  }
}

class ModuleTimeout extends Error {
  constructor(ms: number) {
    super(`the module took longer than ${ms} ms`);
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function normalize(returned: unknown): ModuleResult {
  if (returned === undefined || returned === null) return { ok: true, fields: {}, items: [] };
  if (Array.isArray(returned)) {
    const bad = returned.findIndex((item) => !isPlainObject(item));
    if (bad >= 0) return { ok: false, message: `the module returned a list whose item ${bad} is not an object` };
    return { ok: true, fields: {}, items: returned as Record<string, unknown>[] };
  }
  if (!isPlainObject(returned)) return { ok: false, message: `the module returned ${typeof returned}; expected items (a list of objects), one object, or { fields, items }` };
  if ('fields' in returned || 'items' in returned) {
    const { fields = {}, items = [] } = returned;
    if (!isPlainObject(fields) || !Array.isArray(items) || items.some((i) => !isPlainObject(i))) {
      return { ok: false, message: 'the module returned { fields, items } with fields not an object or items not a list of objects' };
    }
    return { ok: true, fields, items: items as Record<string, unknown>[] };
  }
  return { ok: true, fields: {}, items: [returned] };
}
