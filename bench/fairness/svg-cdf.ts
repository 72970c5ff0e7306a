/**
 * A tiny SVG generator for latency CDFs on a log-scale time axis: one line per series, decade grid lines,
 * a dashed p99 line and a legend. Pure string building, no dependencies.
 */

export interface CdfSeries {
  label: string;
  color: string;
  /** Ascending values in milliseconds. */
  sortedMs: readonly number[];
  dashed?: boolean;
}

export interface CdfChart {
  title: string;
  subtitle?: string;
  series: readonly CdfSeries[];
  width?: number;
  height?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function formatMs(ms: number): string {
  if (ms >= 600_000) return `${+(ms / 60_000).toPrecision(2)} min`;
  if (ms >= 1000) return `${+(ms / 1000).toPrecision(3)} s`;
  return `${+ms.toPrecision(3)} ms`;
}

/** At most `max` points of the CDF, always including the first and last. */
export function cdfPoints(sortedMs: readonly number[], max = 400): { ms: number; fraction: number }[] {
  const n = sortedMs.length;
  if (!n) return [];
  const step = Math.max(1, Math.floor(n / max));
  const out: { ms: number; fraction: number }[] = [];
  for (let i = 0; i < n; i += step) out.push({ ms: sortedMs[i]!, fraction: (i + 1) / n });
  if (out.at(-1)!.fraction !== 1) out.push({ ms: sortedMs[n - 1]!, fraction: 1 });
  return out;
}

export function renderCdfSvg(chart: CdfChart): string {
  const width = chart.width ?? 860;
  const height = chart.height ?? 500;
  const m = { left: 64, right: 330, top: chart.subtitle ? 62 : 44, bottom: 52 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const all = chart.series.flatMap((s) => [s.sortedMs[0], s.sortedMs.at(-1)]).filter((v): v is number => v !== undefined);
  const lo = Math.floor(Math.log10(Math.max(1, Math.min(...all))));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(10, ...all))));
  const x = (ms: number) => m.left + ((Math.log10(Math.max(ms, 10 ** lo)) - lo) / (hi - lo)) * plotW;
  const y = (fraction: number) => m.top + (1 - fraction) * plotH;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(`<text x="${m.left}" y="22" font-size="15" font-weight="bold">${esc(chart.title)}</text>`);
  if (chart.subtitle) parts.push(`<text x="${m.left}" y="42" fill="#555">${esc(chart.subtitle)}</text>`);
  for (let d = lo; d <= hi; d++) {
    const xd = x(10 ** d).toFixed(1);
    parts.push(`<line x1="${xd}" y1="${m.top}" x2="${xd}" y2="${m.top + plotH}" stroke="#ddd"/>`);
    parts.push(`<text x="${xd}" y="${m.top + plotH + 18}" text-anchor="middle" fill="#333">${esc(formatMs(10 ** d))}</text>`);
    for (const k of [2, 5]) {
      if (d < hi) {
        const xk = x(k * 10 ** d).toFixed(1);
        parts.push(`<line x1="${xk}" y1="${m.top}" x2="${xk}" y2="${m.top + plotH}" stroke="#f0f0f0"/>`);
      }
    }
  }
  for (const f of [0, 0.25, 0.5, 0.75, 0.9, 1]) {
    const yf = y(f).toFixed(1);
    parts.push(`<line x1="${m.left}" y1="${yf}" x2="${m.left + plotW}" y2="${yf}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.left - 8}" y="${(y(f) + 4).toFixed(1)}" text-anchor="end" fill="#333">${Math.round(f * 100)} %</text>`);
  }
  const y99 = y(0.99).toFixed(1);
  parts.push(`<line x1="${m.left}" y1="${y99}" x2="${m.left + plotW}" y2="${y99}" stroke="#999" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${m.left + plotW - 4}" y="${(y(0.99) + 13).toFixed(1)}" text-anchor="end" fill="#777">p99</text>`);
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${m.left + plotW / 2}" y="${height - 12}" text-anchor="middle">produce → fetch latency (log scale)</text>`);
  parts.push(`<text transform="translate(16 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle">share of small-host URLs fetched</text>`);
  chart.series.forEach((s, i) => {
    const pts = cdfPoints(s.sortedMs);
    if (pts.length) {
      // A step line: the CDF holds its value until the next sample.
      let d = `M${x(pts[0]!.ms).toFixed(1)},${y(0).toFixed(1)}`;
      let prevY = y(0);
      for (const p of pts) {
        d += ` L${x(p.ms).toFixed(1)},${prevY.toFixed(1)} L${x(p.ms).toFixed(1)},${y(p.fraction).toFixed(1)}`;
        prevY = y(p.fraction);
      }
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    }
    const ly = m.top + 10 + i * 36;
    const lx = m.left + plotW + 16;
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${s.color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    const [first, ...rest] = s.label.split('\n');
    parts.push(`<text x="${lx + 30}" y="${ly + 4}">${esc(first ?? '')}</text>`);
    rest.forEach((line, k) => parts.push(`<text x="${lx + 30}" y="${ly + 18 + k * 14}" fill="#555" font-size="11">${esc(line)}</text>`));
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
