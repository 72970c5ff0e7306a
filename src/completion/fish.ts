/**
 * The fish completion script: one `complete` line per command and flag, each limited to its command path by
 * a small path-walking function (fish has no nested-subcommand helper of its own).
 */
import { allCommands, flagNames, type CommandSpec, type FlagSpec, type ProgramSpec, type ValueHint } from './command-tree.js';

/** Single-quotes a word for fish (inside '...' only \\ and ' are special). */
export function fishQuote(word: string): string {
  return `'${word.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

function switchFunction(name: string, rows: [string, string[]][], comment: string): string {
  const arms = rows.filter(([, words]) => words.length).map(([key, words]) => `        case ${fishQuote(key)}\n            printf '%s\\n' ${words.map(fishQuote).join(' ')}`);
  return [`# ${comment}`, `function ${name}`, '    switch "$argv[1]"', ...arms, '    end', 'end'].join('\n');
}

function valueArgs(hint: ValueHint): string {
  if (hint.kind === 'files') return ' -r -F';
  if (hint.kind === 'choices') return ` -x -a ${fishQuote(hint.values.join(' '))}`;
  return ' -x';
}

function flagLine(prog: string, condition: string | undefined, flag: FlagSpec): string {
  const parts = [`complete -c ${prog}`];
  if (condition) parts.push(`-n ${fishQuote(condition)}`);
  if (flag.short) parts.push(`-s ${flag.short.replace(/^-/, '')}`);
  if (flag.long) parts.push(`-l ${flag.long.replace(/^--/, '')}`);
  // Optional values ([ttl], [interval]) are written --flag=value in fish, which completes them like required ones.
  const value = flag.arity === 'none' ? '' : valueArgs(flag.value);
  return `${parts.join(' ')}${value} -d ${fishQuote(flag.description)}`;
}

export function fishScript(spec: ProgramSpec): string {
  const prog = spec.name;
  const f = `__${prog.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const commands = allCommands(spec.root);
  const key = (c: CommandSpec) => c.path.join(' ');
  const at = (c: CommandSpec) => `${f}_at ${fishQuote(key(c))}`;
  const valueFlags = (c: CommandSpec) => [...c.flags, ...spec.globalFlags].filter((fl) => fl.arity === 'required').flatMap(flagNames);
  const lines: string[] = [];
  for (const c of commands) {
    for (const sub of c.subcommands) lines.push(`complete -c ${prog} -n ${fishQuote(at(c))} -a ${fishQuote(sub.name)} -d ${fishQuote(sub.description)}`);
    for (const flag of c.flags) lines.push(flagLine(prog, at(c), flag));
    if (!c.subcommands.length && c.positional.kind === 'files') lines.push(`complete -c ${prog} -n ${fishQuote(at(c))} -F`);
    if (!c.subcommands.length && c.positional.kind === 'choices') lines.push(`complete -c ${prog} -n ${fishQuote(at(c))} -a ${fishQuote(c.positional.values.join(' '))}`);
  }
  for (const flag of spec.globalFlags) lines.push(flagLine(prog, undefined, flag));

  return `# fish completion for ${prog}, generated from its command tree by \`${prog} completion fish\`.
#   ${prog} completion fish > ~/.config/fish/completions/${prog}.fish

${switchFunction(`${f}_subcommands`, commands.map((c) => [key(c), c.subcommands.map((s) => s.name)]), 'the subcommands of a command path')}

${switchFunction(`${f}_value_flags`, commands.map((c) => [key(c), valueFlags(c)]), 'flags that take the next word as their value')}

# The command path typed so far ("" at the top, "topics create", ...): flag values are skipped.
function ${f}_path
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l cmdpath
    set -l pending 0
    for word in $tokens
        if test $pending = 1
            set pending 0
            continue
        end
        switch $word
            case '--*=*'
                continue
            case '-?*'
                if contains -- $word (${f}_value_flags (string join ' ' $cmdpath))
                    set pending 1
                end
                continue
        end
        if contains -- $word (${f}_subcommands (string join ' ' $cmdpath))
            set -a cmdpath $word
        end
    end
    string join ' ' $cmdpath
end

function ${f}_at
    set -l current (${f}_path)
    test "$current" = "$argv[1]"
end

# No file names unless a command or flag asks for them.
complete -c ${prog} -f
${lines.join('\n')}
`;
}
