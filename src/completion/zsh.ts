/**
 * The zsh completion script: the shared sh core plus a widget that hands the candidates to compadd. Works
 * sourced (`source <(kscrape completion zsh)`, after compinit) and as an autoloaded `_kscrape` in $fpath.
 */
import type { ProgramSpec } from './command-tree.js';
import { functionPrefix, posixCore } from './posix-core.js';

export function zshScript(spec: ProgramSpec): string {
  const f = functionPrefix(spec);
  return `#compdef ${spec.name}
# zsh completion for ${spec.name}, generated from its command tree by \`${spec.name} completion zsh\`.
#   source <(${spec.name} completion zsh)                      # this shell (after compinit)
#   ${spec.name} completion zsh > "\${fpath[1]}/_${spec.name}"          # every new shell

${posixCore(spec)}

${f}() {
  local line files=0
  local -a candidates
  for line in "\${(@f)$(${f}_candidates "\${(@)words[2,CURRENT]}")}"; do
    if [[ $line == @files ]]; then files=1; elif [[ -n $line ]]; then candidates+=("$line"); fi
  done
  (( \${#candidates} )) && compadd -- "\${candidates[@]}"
  (( files )) && _files
  return 0
}

if [[ "\${funcstack[1]:-}" == ${f} ]]; then
  ${f} "$@"
else
  compdef ${f} ${spec.name}
fi
`;
}
