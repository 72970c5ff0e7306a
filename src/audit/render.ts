/**
 * The audit as people read it: a per-partition bar chart (host next to fair, or observed next to fair for a topic),
 * the statistics, the hot partitions with their hosts, and the recommendation. Pure: returns text; colors only
 * when the caller says the output is a terminal.
 */
import { Chalk } from 'chalk';
import { HOT_RATIO, type SkewStats } from '../partition/skew.js';
import type { AuditReport, Layout } from './accumulator.js';

export interface RenderOptions {
  color: boolean;
  /** Characters for the longest bar. Default 28. */
  barWidth?: number;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function renderAudit(report: AuditReport, opts: RenderOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const width = opts.barWidth ?? 28;
  const primaryName = report.observed ? 'observed' : 'host';
  const primary = report.observed ?? report.host;
  const lines: string[] = [];
  const source = report.source.kind === 'topic'
    ? `topic ${report.source.names.join(', ')}${report.source.sample ? ` (${report.source.sample})` : ''}`
    : report.source.names.join(', ');
  lines.push(c.bold(`${fmt(report.urls)} URLs, ${fmt(report.hosts)} hosts, ${report.partitions} partitions — ${source}`));
  if (report.invalid) lines.push(c.yellow(`${fmt(report.invalid)} lines without a usable http(s) URL, e.g. ${report.invalidExamples.slice(0, 2).map((e) => JSON.stringify(e)).join(', ')}`));
  if (report.urls === 0) return `${lines.join('\n')}\n`;

  const max = Math.max(1, ...primary.counts, ...report.fair.counts);
  const countWidth = fmt(max).length;
  const labelWidth = String(report.partitions - 1).length + 1;
  lines.push('');
  lines.push(`${' '.repeat(labelWidth + 2)}${primaryName.padEnd(width + countWidth + 6)}fair (threshold ${fmt(report.fair.threshold)}, ${report.fair.bands} bands)`);
  for (let p = 0; p < report.partitions; p++) {
    const count = primary.counts[p] ?? 0;
    const fairCount = report.fair.counts[p] ?? 0;
    const hot = primary.stats.hot.includes(p);
    const bar = barOf(count, max, width);
    const fairBar = barOf(fairCount, max, width);
    const paint = hot ? c.red : count === 0 ? c.dim : c.cyan;
    lines.push(`  ${`p${p}`.padEnd(labelWidth)} ${paint(bar.padEnd(width))} ${fmt(count).padStart(countWidth)} ${hot ? c.red('HOT') : '   '}  ${c.green(fairBar.padEnd(width))} ${fmt(fairCount).padStart(countWidth)}`);
  }
  lines.push('');
  const statRows: [string, SkewStats][] = [
    ...(report.observed ? [['observed', report.observed.stats] as [string, SkewStats]] : []),
    ['host', report.host.stats], ['fair', report.fair.stats],
    ...(report.recommendation.projected ? [['suggested', report.recommendation.projected] as [string, SkewStats]] : []),
  ];
  const table = statsTable(statRows);
  lines.push(...table.slice(0, report.recommendation.projected ? -1 : undefined));
  if (report.recommendation.projected) lines.push(c.dim(`${table[table.length - 1]!}  (estimate)`));
  lines.push(c.dim(`  skew = max/mean; CV = std dev/mean; hot = more than ${HOT_RATIO}× the mean`));

  lines.push(...hotSection(`Hot partitions (${primaryName})`, primary, c));
  lines.push(...hotSection('Hot partitions (fair)', report.fair, c));

  const rec = report.recommendation;
  lines.push('');
  lines.push(`${c.bold('Recommendation:')} ${rec.verdict === 'balanced' ? c.green(rec.summary) : c.yellow(rec.summary)}`);
  if (rec.bandHosts.length) {
    const more = rec.bandHostCount - rec.bandHosts.length;
    lines.push(`  band: ${rec.bandHosts.map((h) => `${h.host} (${fmt(h.count)}, p${h.partition})`).join(', ')}${more > 0 ? `, and ${fmt(more)} more` : ''}`);
  }
  for (const note of rec.notes) lines.push(c.dim(`  note: ${note}`));
  return `${lines.join('\n')}\n`;
}

/**
 * The statistics as columns padded to their widest cell and always two spaces apart, so they never run together
 * whatever the counts; the mean with at least two significant digits (0.24, not 0).
 */
function statsTable(rows: [string, SkewStats][]): string[] {
  const cells = [['layout', 'skew', 'CV', 'hot', 'empty', 'max', 'mean'], ...rows.map(([name, s]) =>
    [name, s.skew.toFixed(2), s.cv.toFixed(2), String(s.hot.length), String(s.empty), fmt(s.max), twoDigits(s.mean)])];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => `  ${r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ')}`);
}

/** At least two significant digits: 0.24, 3.5, 12, 1,234. */
export function twoDigits(n: number): string {
  return n === 0 || Math.abs(n) >= 10 ? fmt(n) : n.toPrecision(2);
}

function hotSection(title: string, layout: Layout, c: InstanceType<typeof Chalk>): string[] {
  if (!layout.hot.length) return [];
  return ['', c.bold(`${title}:`), ...layout.hot.map((row) =>
    `  p${row.partition}  ${fmt(row.count)} URLs (${(row.count / layout.stats.mean).toFixed(1)}× mean): ${row.topHosts.map((h) => `${h.host} ${fmt(h.count)}`).join(', ')}`)];
}

/** Eighth-block bars, so small differences still show. */
export function barOf(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  const full = Math.floor(eighths / 8);
  const rest = eighths % 8;
  return '█'.repeat(full) + (rest ? ' ▏▎▍▌▋▊▉'[rest]! : '');
}
