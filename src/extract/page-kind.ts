/** Which pages extraction can read: HTML (parsed), JSON (parsed as JSON), or neither (an errors record). Pure. */
import type { PageRecord } from '../records/index.js';

export type PageKind = { kind: 'html' } | { kind: 'json' } | { kind: 'unsupported'; reason: 'empty-body' | 'unsupported-content'; detail: string };

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

export function pageKind(page: Pick<PageRecord, 'content_type' | 'body'>): PageKind {
  if (!page.body || !page.body.trim()) return { kind: 'unsupported', reason: 'empty-body', detail: 'the page has no body' };
  const mime = (page.content_type ?? '').split(';')[0]!.trim().toLowerCase();
  if (HTML_TYPES.has(mime)) return { kind: 'html' };
  if (mime === 'application/json' || mime.endsWith('+json')) return { kind: 'json' };
  // No Content-Type: servers omit it; a body that opens like markup is read as HTML (as browsers sniff it).
  if (!mime && /^\s*(<!doctype html|<html|<head|<body|<!--)/i.test(page.body.slice(0, 512))) return { kind: 'html' };
  return { kind: 'unsupported', reason: 'unsupported-content', detail: `content type ${mime || '(none)'} is neither HTML nor JSON` };
}
