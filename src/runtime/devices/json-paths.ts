/**
 * Walking and editing parsed JSON by path: used by the validation fuzz tests to mutate generated device messages
 * field by field (reproducible from the printed path).
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonPath = Array<string | number>;

/** Every path to a value below the root (leaves and every object/array), as arrays of keys/indices. */
export function paths(value: Json, prefix: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  if (prefix.length > 0) out.push(prefix);
  return out;
}

export function getAt(root: Json, path: JsonPath): Json {
  let v: Json = root;
  for (const k of path) v = (v as Record<string | number, Json>)[k]!;
  return v;
}

export function setAt(root: Json, path: JsonPath, value: Json): void {
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, Json>;
  parent[path[path.length - 1]!] = value;
}
