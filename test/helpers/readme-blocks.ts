/**
 * README.md's fenced blocks and the command examples in its ```sh blocks, with the README's own marks for the
 * examples the suite cannot run. A mark is an HTML comment (invisible on GitHub) between the previous block and
 * the ```sh block it is about, one per example:
 *   <!-- not run by the tests: `<a piece of the example's text>` <why> -->
 * The piece must name exactly one example of that block (when it is part of several, the one that ends with it),
 * so a mark cannot silently outlive its example.
 */
import { commandLines } from './shell-words.js';

export interface Block { kind: string; line: number; body: string; before: string }

export interface Example {
  /** `README.md:<line of the example>` */
  at: string;
  /** The command as written (continuations joined, comments removed); a whole block for a `#!` script. */
  text: string;
  /** The README's reason when it marks the example as not runnable here. */
  notRun?: string;
}

/** Every fenced block with its language tag, first line number and the text since the previous block. */
export function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const re = /^```([\w-]*)\n([\s\S]*?)^```\s*$/gm;
  let previousEnd = 0;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    blocks.push({ kind: m[1] ?? '', line: markdown.slice(0, m.index).split('\n').length, body: m[2] ?? '', before: markdown.slice(previousEnd, m.index) });
    previousEnd = m.index + m[0].length;
  }
  return blocks;
}

const MARK = /<!-- not run by the tests: `([^`]+)` ([^>]+?) -->/g;

/** The examples of one ```sh block: one per command line, or the whole block when it is a script (`#!`). */
export function examplesOf(block: Block): { examples: Example[]; badMarks: string[] } {
  const bodyLines = block.body.split('\n');
  const lineOf = (text: string) => {
    const whole = bodyLines.findIndex((l) => l.includes(text));
    const i = whole >= 0 ? whole : bodyLines.findIndex((l) => l.includes(text.slice(0, 40)));
    return `README.md:${block.line + 1 + Math.max(i, 0)}`;
  };
  const examples: Example[] = block.body.startsWith('#!')
    ? [{ at: `README.md:${block.line + 1}`, text: block.body }]
    : commandLines(block.body).map((text) => ({ at: lineOf(text), text }));
  const badMarks: string[] = [];
  for (const m of block.before.matchAll(MARK)) {
    const [, piece, reason] = m as unknown as [string, string, string];
    const containing = examples.filter((e) => e.text.includes(piece));
    const hits = containing.length > 1 ? containing.filter((e) => e.text.endsWith(piece)) : containing;
    if (hits.length !== 1) badMarks.push(`README.md:${block.line}: the mark \`${piece}\` matches ${hits.length} examples of the block below it`);
    else hits[0]!.notRun = reason.trim();
  }
  return { examples, badMarks };
}
