/** The registry of CLI commands: one file per command, each exporting a `register(program)`. */
import type { Command } from 'commander';
import { register as reproduceSeed } from './reproduce-seed.ts';
import { register as bench } from './bench.ts';
import { register as devices } from './devices.ts';
import { register as train } from './train.ts';
import { register as report } from './report.ts';
import { register as sparkConf } from './spark-conf.ts';
import { register as edge } from './edge.ts';
import { register as demo } from './demo.ts';
import { register as serve } from './serve.ts';
import { register as selectMeta } from './select-meta.ts';
import { register as inspect } from './inspect.ts';
import { register as config } from './config.ts';
import { register as trace } from './trace.ts';

export const COMMANDS: Array<(program: Command) => void> = [reproduceSeed, bench, trace, devices, train, selectMeta, inspect, config, report, sparkConf, edge, demo, serve];
