/** `kscrape completion <shell>`: the script for one shell, from the live command tree. */
import type { Command } from 'commander';
import { bashScript } from './bash.js';
import { programSpecOf } from './command-tree.js';
import { fishScript } from './fish.js';
import { zshScript } from './zsh.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export function completionScript(program: Command, shell: Shell): string {
  const spec = programSpecOf(program);
  return shell === 'bash' ? bashScript(spec) : shell === 'zsh' ? zshScript(spec) : fishScript(spec);
}
