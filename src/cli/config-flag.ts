/** The `--config <file.json>` flag of bench, demo and serve: one wording, one error path (src/core/config-file.ts). */
import { ConfigFileError, readConfigFile, type ConfigFile } from '../core/config-file.ts';
import { UsageError } from './output.ts';

export const CONFIG_FLAG_HELP =
  'JSON file of overrides of the world model (src/core/config.ts), deep-merged into the defaults: prices, SLA targets, scenario loads, cluster limits; e.g. {"pricing":{"vcpuUsdPerHour":0.05}}. The trained agents keep the models they learned on the defaults (docs/CONFIG.md)';

/** Reads the file; a missing, malformed or invalid one is a UsageError (exit 2) naming the file and the key. */
export function configFileFlag(path: string): ConfigFile {
  try {
    return readConfigFile(path);
  } catch (err) {
    if (err instanceof ConfigFileError) throw new UsageError(`--config: ${err.message}`);
    throw err;
  }
}
