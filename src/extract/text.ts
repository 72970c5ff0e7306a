/** Small pure helpers the extractors share: an element's text as a person reads it, URLs resolved against the page. */
import type { AnyNode, Element } from 'domhandler';
import { textContent } from 'domutils';

/** Text with runs of whitespace collapsed to one space and trimmed: how a field's text is compared and stored. */
export function cleanText(node: AnyNode | AnyNode[]): string {
  return collapse(textContent(node));
}

export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function attr(el: Element, name: string): string | undefined {
  return el.attribs[name];
}

/** `href` resolved against `base`; undefined when it is not a URL (or a scheme a scraper does not follow). */
export function resolveUrl(href: string | undefined, base: string): string | undefined {
  if (href === undefined) return undefined;
  const trimmed = href.trim();
  if (!trimmed) return undefined;
  try {
    return new URL(trimmed, base).href;
  } catch {
    return undefined;
  }
}
