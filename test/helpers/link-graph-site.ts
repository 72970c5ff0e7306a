/**
 * A loopback site with a known link graph, for crawl tests: pages described as data (links, nofollow links,
 * meta robots, X-Robots-Tag, base href, canonical), served by the targets process on several addresses (each a
 * host of its own). Links are written once the origins are known: `{0}`, `{1}`... in a link stand for the
 * origin of the address with that index.
 */
import { startTargetProcess, type RouteSpec, type TargetProcess } from './http-targets.js';

export interface GraphPage {
  links?: string[];
  /** Links with rel=nofollow. */
  nofollow?: string[];
  /** `<meta name=robots content=...>`. */
  metaRobots?: string;
  /** X-Robots-Tag header. */
  robotsHeader?: string;
  base?: string;
  canonical?: string;
}

export type GraphRoute = GraphPage | RouteSpec;

export interface LinkGraphSite {
  site: TargetProcess;
  origins: string[];
  /** Paths requested per address index, in arrival order. */
  requested(): Promise<string[][]>;
  close(): Promise<void>;
}

const isSpec = (r: GraphRoute): r is RouteSpec => 'kind' in r || 'status' in r || 'body' in r;

export function pageHtml(p: GraphPage, fill: (href: string) => string): string {
  const head = [
    p.base ? `<base href="${fill(p.base)}">` : '',
    p.metaRobots ? `<meta name="robots" content="${p.metaRobots}">` : '',
    p.canonical ? `<link rel="canonical" href="${fill(p.canonical)}">` : '',
  ].join('');
  const body = [
    ...(p.links ?? []).map((h) => `<a href="${fill(h)}">${h}</a>`),
    ...(p.nofollow ?? []).map((h) => `<a rel="nofollow" href="${fill(h)}">${h}</a>`),
  ].join('\n');
  return `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;
}

/** `graphs[i]` is the site on `addresses[i]`: path → page (or a raw route of the targets process). */
export async function startLinkGraphSite(addresses: string[], graphs: Record<string, GraphRoute>[]): Promise<LinkGraphSite> {
  const site = await startTargetProcess(addresses, {});
  const fill = (href: string) => href.replace(/\{(\d+)\}/g, (_m, i: string) => site.origins[Number(i)]!);
  // The targets process has one routes table for all its addresses: every host serves the union of the graphs,
  // so give the graphs distinct paths (a test asserts which host was asked for what).
  const routes: Record<string, RouteSpec> = {};
  for (const graph of graphs) {
    for (const [path, r] of Object.entries(graph)) {
      if (isSpec(r)) routes[path] = { ...r, ...(r.location ? { location: fill(r.location) } : {}) };
      else {
        routes[path] = {
          body: pageHtml(r, fill),
          headers: { 'content-type': 'text/html; charset=utf-8', ...(r.robotsHeader ? { 'x-robots-tag': r.robotsHeader } : {}) },
        };
      }
    }
  }
  await site.setRoutes(routes);
  return {
    site,
    origins: site.origins,
    requested: async () => {
      const arrivals = await site.arrivals();
      return addresses.map((a) => (arrivals[a] ?? []).map((x) => x.path));
    },
    close: () => site.close(),
  };
}
