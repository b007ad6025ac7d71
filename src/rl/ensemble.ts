/**
 * An ensemble manifest: one file naming several checkpoints of the same recipe trained with different seeds
 * (`edgepilot train --seeds 1-6 --out X.json` writes the members to X-s<seed>.json and this manifest to X.json).
 * Why: a single TD3 run's deterministic actor carries that seed's critic noise; the mean of several seeds' actions
 * carries less (docs/META.md, "An ensemble of seeds"); `pooling` says which mean. Only the loaders that say so accept
 * a manifest (the meta-controller's, src/meta/hierarchical-policy.ts); the others refuse it by its format.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { CheckpointError, ENSEMBLE_FORMAT } from './checkpoint.ts';
import { formatZodError } from './trainer.ts';

export { ENSEMBLE_FORMAT };
export const ENSEMBLE_VERSION = 1;
export const ENSEMBLE_POOLINGS = ['arithmetic', 'geometric'] as const;

const ManifestSchema = z
  .object({
    format: z.literal(ENSEMBLE_FORMAT),
    version: z.literal(ENSEMBLE_VERSION),
    /** Member checkpoint files, relative to the manifest's folder. */
    members: z.array(z.string().min(1)).min(1),
    /** The seeds the members were trained with, in the same order (provenance). */
    seeds: z.array(z.number().int().nonnegative()),
    /** The command that reproduces the ensemble (provenance). */
    command: z.string().optional(),
    /**
     * How a loader pools the members' outputs (the meta-controller's: src/meta/hierarchical-policy.ts). Absent in the
     * file: 'arithmetic', what every manifest written before session 24 meant (read back as that).
     */
    pooling: z.enum(ENSEMBLE_POOLINGS).default('arithmetic'),
  })
  .strict()
  .refine((m) => m.seeds.length === m.members.length, { message: 'seeds and members must have the same length' });

export type EnsembleManifest = z.infer<typeof ManifestSchema>;
export type EnsemblePooling = EnsembleManifest['pooling'];
/**
 * What `edgepilot train --seeds` writes unless told otherwise: the arithmetic mean, the shipped ensembles' pooling
 * (the geometric one was measured in session 24 and not shipped: docs/META.md "Pooling the seeds").
 */
export const DEFAULT_ENSEMBLE_POOLING: EnsemblePooling = 'arithmetic';

/** The member path for `seed` of an ensemble written to `out` (X.json -> X-s<seed>.json). */
export function memberPath(out: string, seed: number): string {
  const stem = out.endsWith('.json') ? out.slice(0, -5) : out;
  return `${stem}-s${seed}.json`;
}

/** Parses `1-6`, `1,2,5` or `3` into distinct non-negative integer seeds, in the order given. */
export function parseSeedList(text: string, where = '--seeds'): number[] {
  const seeds: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new Error(`${where}: '${part}' is not a seed or a range like 1-6 (got '${text}')`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new Error(`${where}: range '${part.trim()}' runs backwards`);
    for (let s = from; s <= to; s++) seeds.push(s);
  }
  if (new Set(seeds).size !== seeds.length) throw new Error(`${where}: seed listed twice in '${text}'`);
  if (seeds.length < 2) throw new Error(`${where}: an ensemble needs at least 2 seeds, got '${text}' (use --seed for one)`);
  return seeds;
}

/** Writes the manifest for members trained at memberPath(out, seed). */
export function writeEnsembleManifest(out: string, seeds: readonly number[], command?: string, pooling: EnsemblePooling = DEFAULT_ENSEMBLE_POOLING): EnsembleManifest {
  const manifest: EnsembleManifest = { format: ENSEMBLE_FORMAT, version: ENSEMBLE_VERSION, members: seeds.map((s) => basename(memberPath(out, s))), seeds: [...seeds], pooling };
  if (command !== undefined) manifest.command = command;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** True when the JSON file at `path` is an ensemble manifest (by its format field); false for anything else. */
export function isEnsembleFile(path: string): boolean {
  try {
    const obj: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof obj === 'object' && obj !== null && (obj as { format?: unknown }).format === ENSEMBLE_FORMAT;
  } catch {
    return false;
  }
}

/** Reads and validates a manifest; returns it with the members' paths resolved against its folder. */
export function readEnsembleManifest(path: string): EnsembleManifest & { memberPaths: string[] } {
  const where = `'${path}'`;
  let obj: unknown;
  try {
    obj = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CheckpointError(where, `cannot be read as an ensemble manifest: ${(err as Error).message}`);
  }
  const parsed = ManifestSchema.safeParse(obj);
  if (!parsed.success) throw new CheckpointError(where, `is not a valid ensemble manifest: ${formatZodError(parsed.error)}`);
  return { ...parsed.data, memberPaths: parsed.data.members.map((m) => join(dirname(path), m)) };
}

/** The files a model path stands for: a manifest and its members, or the one checkpoint (missing files included). */
export function checkpointFiles(path: string): string[] {
  if (!isEnsembleFile(path)) return [path];
  try {
    return [path, ...readEnsembleManifest(path).memberPaths];
  } catch {
    return [path];
  }
}
