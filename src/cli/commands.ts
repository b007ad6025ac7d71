/** The registry of CLI commands: one file per command, each exporting a `register(program)`. */
import type { Command } from 'commander';
import { register as reproduceSeed } from './reproduce-seed.ts';
import { register as bench } from './bench.ts';
import { register as devices } from './devices.ts';
import { register as train } from './train.ts';

export const COMMANDS: Array<(program: Command) => void> = [reproduceSeed, bench, devices, train];
