/**
 * The intake stage of produce: split input lines to URL envelopes. Blank and comment lines are skipped; a
 * refused line (too long, bad URL, bad JSON field) is counted and, with --rejects, written with its source,
 * line number and reason. Knows where it is (source, line) so a stopped run can say what it did not read.
 */
import type { UrlEnvelope } from '../records/index.js';
import { parseInputLine, type InputFormat, type LineDefaults } from './input-line.js';
import type { JsonLinesFile } from './json-lines-file.js';
import type { SplitLine } from './line-splitter.js';
import type { ProduceStats } from './produce-stats.js';

export interface LineIntakeOptions {
  format: InputFormat;
  defaults: LineDefaults;
  /** discovered_at of lines that do not give one: the run's start. */
  now: number;
  stats: ProduceStats;
  rejects: JsonLinesFile | undefined;
}

export class LineIntake {
  /** The source being read (a file name, or '-' for stdin). */
  source = '';
  /** Lines of the source read so far. */
  lineNo = 0;

  constructor(private readonly opts: LineIntakeOptions) {}

  startSource(source: string): void {
    this.source = source;
    this.lineNo = 0;
  }

  /** The envelopes of one chunk's lines, in order. */
  async envelopesOf(lines: SplitLine[]): Promise<UrlEnvelope[]> {
    const { stats, rejects } = this.opts;
    const envelopes: UrlEnvelope[] = [];
    for (const line of lines) {
      this.lineNo++;
      if (typeof line !== 'string') {
        stats.lines++;
        stats.reject('too-long');
        await rejects?.write({ source: this.source, line: this.lineNo, reason: 'too-long', detail: `line of ${line.bytes} bytes`, input: line.prefix });
        continue;
      }
      const parsed = parseInputLine(line, this.opts.format, this.opts.defaults, this.opts.now);
      if (parsed.kind === 'skip') continue;
      stats.lines++;
      if (parsed.kind === 'reject') {
        stats.reject(parsed.reason);
        await rejects?.write({ source: this.source, line: this.lineNo, reason: parsed.reason, detail: parsed.detail, input: line });
      } else {
        envelopes.push(parsed.envelope);
      }
    }
    return envelopes;
  }
}
