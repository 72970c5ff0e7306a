/** The bash completion script: the shared sh core plus a `complete -F` wrapper that fills COMPREPLY. */
import type { ProgramSpec } from './command-tree.js';
import { functionPrefix, posixCore } from './posix-core.js';

export function bashScript(spec: ProgramSpec): string {
  const f = functionPrefix(spec);
  return `# bash completion for ${spec.name}, generated from its command tree by \`${spec.name} completion bash\`.
#   source <(${spec.name} completion bash)                     # this shell
#   ${spec.name} completion bash > ~/.local/share/bash-completion/completions/${spec.name}   # every new shell

${posixCore(spec)}

${f}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} line files=0
  local -a words=()
  while IFS= read -r line; do
    if [ "$line" = @files ]; then files=1; else words+=("$line"); fi
  done < <(${f}_candidates "\${COMP_WORDS[@]:1:COMP_CWORD}")
  COMPREPLY=()
  if [ \${#words[@]} -gt 0 ]; then
    while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -W "\${words[*]}" -- "$cur")
  fi
  if [ $files = 1 ]; then
    compopt -o filenames 2>/dev/null
    while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -f -- "$cur")
  fi
  return 0
}

complete -F ${f} ${spec.name}
`;
}
