/**
 * The completion logic shared by the bash and zsh scripts: plain POSIX sh functions (bash and zsh both run
 * them; zsh under `emulate sh` so unquoted words split), with the command tree baked in as `case` tables.
 * `_<prog>_candidates WORD... CURRENT` prints the candidates for CURRENT, one per line; the line `@files`
 * asks the caller to complete file names as well.
 */
import { allCommands, flagNames, type CommandSpec, type FlagSpec, type ProgramSpec, type ValueHint } from './command-tree.js';

/** Single-quotes a word for sh (the tree's names never hold quotes, but descriptions and choices might). */
export function shQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function functionPrefix(spec: ProgramSpec): string {
  return `_${spec.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

function caseTable(fn: string, rows: [string, string[]][], comment: string): string {
  const arms = rows.filter(([, words]) => words.length).map(([key, words]) => `    ${shQuote(key)}) printf '%s\\n' ${words.map(shQuote).join(' ')} ;;`);
  return [`# ${comment}`, `${fn}() {`, '  case "$1" in', ...arms, '  esac', '}'].join('\n');
}

function hintWords(hint: ValueHint): string[] {
  return hint.kind === 'files' ? ['@files'] : hint.kind === 'choices' ? hint.values : [];
}

export function posixCore(spec: ProgramSpec): string {
  const f = functionPrefix(spec);
  const commands = allCommands(spec.root);
  const key = (c: CommandSpec) => c.path.join(' ');
  const flagsOf = (c: CommandSpec): FlagSpec[] => [...c.flags, ...spec.globalFlags];
  const valueRows = (arity: FlagSpec['arity']): [string, string[]][] =>
    commands.map((c) => [key(c), flagsOf(c).filter((fl) => fl.arity === arity).flatMap(flagNames)]);
  const valueHintRows: [string, string[]][] = commands.flatMap((c) =>
    flagsOf(c).flatMap((fl) => flagNames(fl).map((name): [string, string[]] => [`${key(c)}|${name}`, hintWords(fl.value)])));

  return [
    caseTable(`${f}_subcommands`, commands.map((c) => [key(c), c.subcommands.map((s) => s.name)]), 'the subcommands of a command path'),
    caseTable(`${f}_flags`, commands.map((c) => [key(c), flagsOf(c).flatMap(flagNames)]), 'every flag a command path accepts (its own and the global ones)'),
    caseTable(`${f}_required_value_flags`, valueRows('required'), 'flags that always take the next word as their value'),
    caseTable(`${f}_optional_value_flags`, valueRows('optional'), 'flags that take the next word as their value unless it starts with -'),
    caseTable(`${f}_flag_values`, valueHintRows, 'what the value of "path|flag" completes to'),
    caseTable(`${f}_positionals`, commands.map((c) => [key(c), hintWords(c.positional)]), 'what a positional argument of a command path completes to'),
    `${f}_member() {
  local needle=$1 candidate
  shift
  for candidate in "$@"; do [ "$candidate" = "$needle" ] && return 0; done
  return 1
}

# Walks the words typed so far: flag values are skipped, subcommand names extend the path.
${f}_candidates() {
  [ -n "\${ZSH_VERSION:-}" ] && emulate -L sh
  local cmdpath='' pending='' word subs
  while [ $# -gt 1 ]; do
    word=$1; shift
    if [ -n "$pending" ]; then
      pending=''
      continue
    fi
    case "$word" in
      --*=*) continue ;;
      -?*)
        if ${f}_member "$word" $(${f}_required_value_flags "$cmdpath"); then pending=$word
        elif ${f}_member "$word" $(${f}_optional_value_flags "$cmdpath"); then
          case "\${1:-}" in -*|'') ;; *) [ $# -gt 1 ] && shift ;; esac
        fi
        continue ;;
    esac
    subs=$(${f}_subcommands "$cmdpath")
    if [ -n "$subs" ] && ${f}_member "$word" $subs; then cmdpath="\${cmdpath:+$cmdpath }$word"; fi
  done
  if [ -n "$pending" ]; then
    ${f}_flag_values "$cmdpath|$pending"
    return 0
  fi
  case "\${1:-}" in
    -*) ${f}_flags "$cmdpath"; return 0 ;;
  esac
  subs=$(${f}_subcommands "$cmdpath")
  if [ -n "$subs" ]; then printf '%s\\n' $subs; else ${f}_positionals "$cmdpath"; fi
}`,
  ].join('\n\n');
}
