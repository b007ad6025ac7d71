/**
 * Versioned, checksummed JSON checkpoints for PPO and TD3.
 *
 * The file is one JSON object: the content fields (format, version, algo, env id, architecture, spaces,
 * weights as base64 little-endian Float64, normalisation statistics, hyper-parameters, seed, step count)
 * followed by `checksum` = SHA-256 (hex) of JSON.stringify(content). Loading verifies, in order: parseable
 * JSON (a truncated file fails here), format tag, version, checksum, then compatibility with the env's spaces.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { box, discrete, multiDiscrete } from '../core/spaces.ts';
import type { Space } from '../core/spaces.ts';
import type { RunningStatsState } from './running-stats.ts';

export const CHECKPOINT_FORMAT = 'edgepilot-rl-checkpoint';
export const CHECKPOINT_VERSION = 1;
/** The format of an ensemble manifest (src/rl/ensemble.ts): not a checkpoint, named here so loaders can say so. */
export const ENSEMBLE_FORMAT = 'edgepilot-ensemble';

export type SpaceJson = { kind: 'box'; shape: number[]; low: number[]; high: number[] } | { kind: 'discrete'; n: number } | { kind: 'multi-discrete'; nvec: number[] };

export interface CheckpointContent {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  algo: 'ppo' | 'td3';
  envId: string;
  architecture: Record<string, unknown>;
  observationSpace: SpaceJson;
  actionSpace: SpaceJson;
  /** name -> base64 of a little-endian Float64Array. */
  weights: Record<string, string>;
  normalization: RunningStatsState | null;
  hyperparameters: Record<string, unknown>;
  seed: number;
  numTimesteps: number;
  /**
   * The env options it was trained with (their JSON-safe part; absent in checkpoints from before session 13 and when
   * there were none). Loaders that must build the same observation read it (the meta-controller's variant).
   */
  envOptions?: Record<string, unknown>;
}

/** The JSON-safe part of env options (plain values, arrays and plain objects; objects like an injected policy are left out). */
export function recordableEnvOptions(options: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!options) return undefined;
  const plain = (v: unknown): boolean =>
    v === null || ['string', 'number', 'boolean'].includes(typeof v) || (Array.isArray(v) && v.every(plain)) || (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && Object.values(v as object).every(plain));
  const kept = Object.entries(options).filter(([, v]) => v !== undefined && plain(v));
  return kept.length ? Object.fromEntries(kept) : undefined;
}

export class CheckpointError extends Error {
  constructor(where: string, message: string) {
    super(`checkpoint ${where}: ${message}`);
    this.name = 'CheckpointError';
  }
}

export function spaceToJson(s: Space): SpaceJson {
  switch (s.kind) {
    case 'box':
      return { kind: 'box', shape: [...s.shape], low: Array.from(s.low), high: Array.from(s.high) };
    case 'discrete':
      return { kind: 'discrete', n: s.n };
    case 'multi-discrete':
      return { kind: 'multi-discrete', nvec: [...s.nvec] };
  }
}

export function spaceFromJson(j: SpaceJson): Space {
  switch (j.kind) {
    case 'box':
      return box(j.low, j.high, j.shape);
    case 'discrete':
      return discrete(j.n);
    case 'multi-discrete':
      return multiDiscrete(j.nvec);
  }
}

/** Null when `actual` matches the checkpoint's space, else a description of the difference. */
export function describeSpaceMismatch(saved: SpaceJson, actual: Space): string | null {
  const a = spaceToJson(actual);
  if (saved.kind !== a.kind) return `saved ${saved.kind}, env has ${a.kind}`;
  if (saved.kind === 'discrete' && a.kind === 'discrete' && saved.n !== a.n) return `saved Discrete(${saved.n}), env has Discrete(${a.n})`;
  if (saved.kind === 'multi-discrete' && a.kind === 'multi-discrete' && saved.nvec.join(',') !== a.nvec.join(',')) return `saved MultiDiscrete([${saved.nvec}]), env has MultiDiscrete([${a.nvec}])`;
  if (saved.kind === 'box' && a.kind === 'box') {
    if (saved.shape.join(',') !== a.shape.join(',')) return `saved Box shape [${saved.shape}], env has [${a.shape}]`;
    for (let i = 0; i < a.low.length; i++) {
      if (Math.fround(saved.low[i]!) !== a.low[i] || Math.fround(saved.high[i]!) !== a.high[i]) return `Box bounds differ at ${i}: saved [${saved.low[i]}, ${saved.high[i]}], env has [${a.low[i]}, ${a.high[i]}]`;
    }
  }
  return null;
}

/** Always stored as float64, whatever the network's dtype (float32 values convert exactly). */
export function encodeWeights(x: Float32Array | Float64Array): string {
  const f = x instanceof Float64Array ? x : Float64Array.from(x);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

export function decodeWeights(b64: string, expectedLength: number, name: string): Float64Array {
  const buf = Buffer.from(b64, 'base64');
  if (buf.byteLength !== expectedLength * 8) throw new CheckpointError('weights', `'${name}' has ${buf.byteLength / 8} values, the architecture needs ${expectedLength}`);
  const out = new Float64Array(expectedLength);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

export function checksumOf(content: CheckpointContent): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

export function serializeCheckpoint(content: CheckpointContent): string {
  return JSON.stringify({ ...content, checksum: checksumOf(content) });
}

export function saveCheckpoint(path: string, content: CheckpointContent): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, serializeCheckpoint(content));
}

/** Parses and verifies a checkpoint's text; `where` names the source in error messages. */
export function parseCheckpoint(text: string, where: string): CheckpointContent {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(where, `is not valid JSON (truncated or corrupted file?): ${(err as Error).message.replace(/\s*\n\s*/g, ' ')}`);
  }
  if (typeof obj !== 'object' || obj === null) throw new CheckpointError(where, 'is not a JSON object');
  const { checksum, ...content } = obj as Record<string, unknown>;
  if (content['format'] === ENSEMBLE_FORMAT) throw new CheckpointError(where, 'is an ensemble manifest (several checkpoints), which only the meta-controller loads; give one of its member checkpoints');
  if (content['format'] !== CHECKPOINT_FORMAT) throw new CheckpointError(where, `has format '${String(content['format'])}', expected '${CHECKPOINT_FORMAT}'`);
  if (content['version'] !== CHECKPOINT_VERSION) throw new CheckpointError(where, `has format version ${String(content['version'])}; this build reads version ${CHECKPOINT_VERSION}`);
  if (typeof checksum !== 'string') throw new CheckpointError(where, 'has no checksum');
  const actual = checksumOf(content as unknown as CheckpointContent);
  if (actual !== checksum) throw new CheckpointError(where, `checksum mismatch (file says ${checksum.slice(0, 12)}…, content hashes to ${actual.slice(0, 12)}…): the file was modified or corrupted`);
  return content as unknown as CheckpointContent;
}

export function readCheckpoint(path: string): CheckpointContent {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CheckpointError(`'${path}'`, `cannot be read: ${(err as Error).message}`);
  }
  return parseCheckpoint(text, `'${path}'`);
}

/** Throws a CheckpointError naming the algorithm or space that does not match. */
export function assertCompatible(ckpt: CheckpointContent, expect: { algo?: 'ppo' | 'td3'; observationSpace: Space; actionSpace: Space }, where: string): void {
  if (expect.algo && ckpt.algo !== expect.algo) throw new CheckpointError(where, `is a ${ckpt.algo} model, expected ${expect.algo}`);
  const o = describeSpaceMismatch(ckpt.observationSpace, expect.observationSpace);
  if (o) throw new CheckpointError(where, `observation space mismatch: ${o}`);
  const a = describeSpaceMismatch(ckpt.actionSpace, expect.actionSpace);
  if (a) throw new CheckpointError(where, `action space mismatch: ${a}`);
}
