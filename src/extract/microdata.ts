/**
 * HTML microdata (itemscope / itemtype / itemprop), read as the WHATWG algorithm describes it in outline: an
 * item's properties are the itemprop elements under it that no nested item claims; a property that is itself
 * an item is read as a nested item. Values come from the attribute HTML says carries them (content, href,
 * src, datetime, value), else the element's text. `itemref` is not followed (rare in the wild).
 */
import type { Element } from 'domhandler';
import { isTag } from 'domhandler';
import { cleanText, resolveUrl } from './text.js';

export interface MicrodataItem {
  type: string[];
  id?: string;
  /** Every property's values in page order (a property may repeat). */
  properties: Record<string, (string | MicrodataItem)[]>;
}

const URL_ATTRIBUTE: Record<string, string> = {
  a: 'href', area: 'href', link: 'href', audio: 'src', embed: 'src', iframe: 'src', img: 'src', source: 'src',
  track: 'src', video: 'src', object: 'data',
};

export function microdataItem(scope: Element, base: string): MicrodataItem {
  const item: MicrodataItem = { type: (scope.attribs.itemtype ?? '').split(/\s+/).filter(Boolean), properties: {} };
  if (scope.attribs.itemid) item.id = resolveUrl(scope.attribs.itemid, base) ?? scope.attribs.itemid;
  const walk = (children: Element['children']): void => {
    for (const child of children) {
      if (!isTag(child)) continue;
      const names = (child.attribs.itemprop ?? '').split(/\s+/).filter(Boolean);
      const nested = 'itemscope' in child.attribs;
      if (names.length) {
        const value = nested ? microdataItem(child, base) : propertyValue(child, base);
        for (const name of names) (item.properties[name] ??= []).push(value);
      }
      // A nested item owns what is under it.
      if (!nested) walk(child.children);
    }
  };
  walk(scope.children);
  return item;
}

function propertyValue(el: Element, base: string): string {
  if (el.name === 'meta') return el.attribs.content ?? '';
  const urlAttribute = URL_ATTRIBUTE[el.name];
  if (urlAttribute) return resolveUrl(el.attribs[urlAttribute], base) ?? '';
  if (el.name === 'time' && el.attribs.datetime) return el.attribs.datetime;
  if ((el.name === 'data' || el.name === 'meter') && el.attribs.value !== undefined) return el.attribs.value;
  if (el.attribs.content !== undefined) return el.attribs.content;
  return cleanText(el);
}
