/**
 * Just enough of the shell's grammar to pull `kscrape ...` invocations out of README examples: splits a line
 * into commands at | ; && || $( and backquotes, and a command into words with '...', "..." and $'...' quoting.
 * Redirections end a command's words. Not a shell: anything fancier is for `bash -n` to judge.
 */

/** Lines of a fenced block with `\` continuations joined and comments (whole-line or after whitespace) removed. */
export function commandLines(block: string): string[] {
  const joined = block.replace(/\\\n\s*/g, ' ');
  return joined.split('\n').map(stripComment).map((l) => l.trim()).filter(Boolean);
}

function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i]!;
    if (quote) { if (c === quote) quote = null; else if (c === '\\' && quote === '"') i += 1; continue; }
    if (c === '\'' || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/** Words of every simple command on a line, quotes removed. */
export function commandsOfLine(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let skipNext = false; // the target of a redirection
  const endWord = () => {
    if (inWord) { if (skipNext) skipNext = false; else words.push(word); }
    word = '';
    inWord = false;
  };
  const endCommand = () => { endWord(); if (words.length) commands.push(words); words = []; skipNext = false; };
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i]!;
    const two = line.slice(i, i + 2);
    if (c === '\'' ) { const end = line.indexOf('\'', i + 1); word += line.slice(i + 1, end); i = end; inWord = true; continue; }
    if (two === '$\'') { const end = line.indexOf('\'', i + 2); word += line.slice(i + 2, end); i = end; inWord = true; continue; }
    if (c === '"') { let j = i + 1; while (j < line.length && line[j] !== '"') { if (line[j] === '\\') j += 1; word += line[j]; j += 1; } i = j; inWord = true; continue; }
    if (two === '&&' || two === '||' || two === '$(') { endCommand(); i += 1; continue; }
    if (c === '|' || c === ';' || c === '`' || c === ')' || c === '(') { endCommand(); continue; }
    if (/\s/.test(c)) { endWord(); continue; }
    if (c === '>' || c === '<') {
      // 2>&1, >>file, > file: the redirection and its target are not arguments.
      endWord();
      if (word === '' && /\d$/.test(words.at(-1) ?? '') && line[i - 1] !== ' ') words.pop();
      while (line[i + 1] === '>' || line[i + 1] === '&') i += 1;
      if (/\d/.test(line[i + 1] ?? '')) { i += 1; continue; }
      skipNext = true;
      continue;
    }
    word += c;
    inWord = true;
  }
  endCommand();
  return commands;
}

/** The arguments of each `kscrape` invocation on a line (what follows the word kscrape, wherever it stands). */
export function kscrapeInvocations(line: string): string[][] {
  return commandsOfLine(line).flatMap((words) => {
    const at = words.indexOf('kscrape');
    return at < 0 ? [] : [words.slice(at + 1)];
  });
}
