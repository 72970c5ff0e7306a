/**
 * `npm run bench -- parsers [--quick] [--pages=2000] [--rounds=4]`: the HTML parser alone, the measurement behind
 * kscrape's choice (src/html/parse.ts). The same stored product pages as `bench -- extract` (~31 KiB each,
 * bench/_extract-pages.ts) parsed into a DOM by kscrape's parseHtml (htmlparser2 + domhandler) and by parse5 (the
 * parser cheerio.load and Crawlee's CheerioCrawler use by default), in one process, rounds alternated, each parser's
 * main-thread CPU per page (process.cpuUsage) and MB/s. Each DOM is checked to hold the page's product name, so
 * neither side can skip work. No Kafka, no network.
 */
import { loadavg } from 'node:os';
import { parse as parse5 } from 'parse5';
import { parseHtml } from '../src/html/parse.js';
import { productPage } from './_extract-pages.js';
import type { BenchOptions } from './index.js';

const say = (line: string) => process.stderr.write(`${line}\n`);

/** The text of the first <h1>, found by walking either DOM (both have childNodes/children and nodeName/name). */
function h1Text(node: unknown): string | undefined {
  const n = node as { name?: string; nodeName?: string; children?: unknown[]; childNodes?: unknown[]; data?: string; value?: string };
  if ((n.name ?? n.nodeName) === 'h1') {
    const kids = (n.children ?? n.childNodes ?? []) as { data?: string; value?: string }[];
    return kids.map((k) => k.data ?? k.value ?? '').join('');
  }
  for (const child of n.children ?? n.childNodes ?? []) {
    const found = h1Text(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

function timeParser(pages: string[], parse: (html: string) => unknown): { cpuMs: number; checked: string | undefined } {
  const before = process.cpuUsage();
  let last: unknown;
  for (const html of pages) last = parse(html);
  const used = process.cpuUsage(before);
  return { cpuMs: (used.user + used.system) / 1000, checked: h1Text(last) };
}

export async function run(opts: BenchOptions): Promise<void> {
  const arg = (name: string) => opts.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const count = Number(arg('pages') ?? (opts.quick ? 300 : 2_000));
  const rounds = Number(arg('rounds') ?? (opts.quick ? 2 : 4));
  const pages = Array.from({ length: count }, (_, n) => productPage(n));
  const megabytes = pages.reduce((sum, p) => sum + Buffer.byteLength(p), 0) / 1_048_576;
  const expected = h1Text(parseHtml(pages[count - 1]!));
  if (!expected) throw new Error('the bench page has no <h1> to check the parsers with');
  const parsers: [string, (html: string) => unknown][] = [['htmlparser2 (kscrape)', parseHtml], ['parse5 (cheerio, Crawlee)', (html) => parse5(html)]];
  const cpu = new Map<string, number[]>(parsers.map(([name]) => [name, []]));
  const loadBefore = loadavg()[0]!.toFixed(1);
  for (let round = 0; round < rounds; round++) {
    // Who goes first alternates, so neither gets the warmer caches or the quieter second every time.
    for (const [name, parse] of round % 2 ? [...parsers].reverse() : parsers) {
      const { cpuMs, checked } = timeParser(pages, parse);
      if (checked !== expected) throw new Error(`${name} did not parse the page: h1 ${JSON.stringify(checked)}, expected ${JSON.stringify(expected)}`);
      cpu.get(name)!.push(cpuMs);
    }
  }
  say(`parsers: ${count.toLocaleString('en-US')} product pages (${megabytes.toFixed(1)} MB, ${(megabytes * 1024 / count).toFixed(1)} KiB each), ${rounds} rounds alternated; load ${loadBefore} → ${loadavg()[0]!.toFixed(1)}`);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const [name] of parsers) {
    const ms = median(cpu.get(name)!);
    say(`  ${name.padEnd(26)} ${(ms / count).toFixed(2)} ms CPU per page, ${(megabytes / (ms / 1000)).toFixed(0)} MB/s (median of ${cpu.get(name)!.map((x) => x.toFixed(0)).join(', ')} ms)`);
  }
  say(`  ratio parse5 / htmlparser2 CPU per page: ${(median(cpu.get(parsers[1]![0])!) / median(cpu.get(parsers[0]![0])!)).toFixed(2)}×`);
}
