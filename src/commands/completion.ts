/** `kscrape completion bash|zsh|fish`: prints a completion script generated from the registered commands. */
import { Argument, type Command } from 'commander';
import { SHELLS, completionScript, type Shell } from '../completion/index.js';
import type { CommandRuntime } from './runtime.js';

export function registerCompletionCommand(program: Command, runtime: CommandRuntime): void {
  program
    .command('completion')
    .description('print a shell completion script (commands, flags, choices) for bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'the shell to write the script for').choices(SHELLS))
    .addHelpText('after', `
The script is generated from the commands and flags of this kscrape, so regenerate it after an upgrade.

Examples:
  source <(kscrape completion bash)                                        # bash, this shell
  kscrape completion bash > ~/.local/share/bash-completion/completions/kscrape
  source <(kscrape completion zsh)                                         # zsh, after compinit
  kscrape completion zsh > "\${fpath[1]}/_kscrape"
  kscrape completion fish > ~/.config/fish/completions/kscrape.fish`)
    .action((shell: Shell, _opts: unknown, cmd: Command) => {
      let root = cmd;
      while (root.parent) root = root.parent;
      runtime.stdout.write(completionScript(root, shell));
    });
}
