/** The registry of CLI commands: one file per command, each exporting a `register(program)`. */
import type { Command } from 'commander';

export const COMMANDS: Array<(program: Command) => void> = [];
