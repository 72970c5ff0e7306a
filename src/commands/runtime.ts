import type { Command } from 'commander';
import type { CommandRuntime } from '../context/runtime.js';

/** Command files import the runtime type from here; modules below commands/ import it from src/context/runtime.ts. */
export type { CommandRuntime };

export type CommandRegistrar = (program: Command, runtime: CommandRuntime) => void;
