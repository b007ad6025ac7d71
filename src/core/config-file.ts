/**
 * A config file: a JSON object of overrides deep-merged into the defaults (src/core/config.ts), for the `--config`
 * of `bench`, `demo`, `serve`, `edge`, `trace` and `config` (src/cli/config-flag.ts): your own prices, SLA targets,
 * scenario loads. Only the keys given change; every error names
 * the file and, for a bad value, the key path.
 */
import { readFileSync } from 'node:fs';
import { ConfigValueError, isPlainObject, loadConfig, type SimConfig } from './config.ts';

export class ConfigFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigFileError';
  }
}

/** Top-level keys of a training config (src/rl/trainer.ts TrainConfigSchema), none of them a world-model key. */
const TRAINING_CONFIG_KEYS = ['algo', 'env', 'hyperparameters', 'timesteps'] as const;

export interface ConfigFile {
  path: string;
  config: SimConfig;
  /** The dotted key paths the file sets (its leaves), in file order: what the run changed from the defaults. */
  overrides: string[];
}

/** The dotted paths of the values a file sets (an empty object sets nothing). */
function leafPaths(value: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, v]) => (isPlainObject(v) ? leafPaths(v, `${prefix}${key}.`) : [`${prefix}${key}`]));
}

/** Reads and validates a config file; throws ConfigFileError naming the file (and the key path of a bad value). */
export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A folder is named as one, as the other input flags do (not a raw EISDIR).
    throw new ConfigFileError(code === 'ENOENT' ? `config file not found: ${path}` : code === 'EISDIR' ? `${path} is a folder, not a file` : `cannot read config file ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    // Editors on Windows start a UTF-8 file with a byte order mark, which JSON.parse refuses.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ConfigFileError(`config file ${path} is not valid JSON: ${(err as Error).message.replace(/\s*\n\s*/g, ' ')}${lineAndColumn(text, (err as Error).message)}`);
  }
  if (!isPlainObject(parsed)) throw new ConfigFileError(`config file ${path}: expected a JSON object of overrides (such as {"pricing": {"vcpuUsdPerHour": 0.05}}), got ${Array.isArray(parsed) ? 'an array' : JSON.stringify(parsed)}`);
  // A training config (configs/*.json) given here would be refused key by key as unrecognised: say what it is instead.
  const trainingKeys = TRAINING_CONFIG_KEYS.filter((k) => k in parsed);
  if (trainingKeys.length > 0) {
    throw new ConfigFileError(`config file ${path} is a training config (it has ${trainingKeys.join(', ')}; give it to train --config); bench/demo/serve/edge/trace --config take world overrides: see 'edgepilot config'`);
  }
  try {
    return { path, config: loadConfig(parsed), overrides: leafPaths(parsed) };
  } catch (err) {
    if (err instanceof ConfigValueError) throw new ConfigFileError(`config file ${path}: ${err.message}`);
    throw err;
  }
}

/** One line for logs and reports: the file and the keys it sets. */
export function describeConfigFile(file: ConfigFile): string {
  const shown = file.overrides.slice(0, 12).join(', ');
  return `${file.path} (sets ${file.overrides.length === 0 ? 'nothing: the defaults' : shown}${file.overrides.length > 12 ? `, and ${file.overrides.length - 12} more` : ''})`;
}

/** " (line L, column C)" for a JSON.parse message that gives a character position (Node 20's do), else ''. */
function lineAndColumn(text: string, message: string): string {
  const m = /at position (\d+)/.exec(message);
  if (!m) return '';
  // JSON.parse saw the text without its byte order mark.
  const before = text.replace(/^\uFEFF/, '').slice(0, Number(m[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return ` (line ${line}, column ${column})`;
}
