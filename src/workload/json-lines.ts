/**
 * JSON lines traces (one JSON object a line: an MQTT or Kafka topic dumped to a file, a log shipper's output). The
 * trace reader (src/workload/trace-formats.ts) sees such a file as a table whose columns are the first object's keys
 * (a nested object's keys dotted: `payload.bytes`); these helpers find the keys and read a line's values as fields.
 */

/** A key of the first object: its dotted name and its path (a key may itself hold a dot). */
export interface JsonKey {
  name: string;
  path: string[];
}

/**
 * Names of a record's time, in any case, with an optional unit suffix (`ts_ms`, `timestampMs`, `tSeconds`):
 * `@timestamp` is Elasticsearch's and Logstash's, `_time` InfluxDB's, `tSeconds` Edgepilot's own decision log's.
 */
const TIME_KEY = /^[_@]?(timestamp|ts|time|t|date|datetime|date_?time|time_?stamp|created_?at|event_?time|received_?at|published_?at)([_-]?(s|secs?|seconds|ms|millis|us|micros|ns|nanos|utc))?$/i;

/** True when a JSON key or a CSV header names a record's time (TIME_KEY). */
export function isTimeName(name: string): boolean {
  return TIME_KEY.test(name);
}

/** Seconds per unit that a time name's suffix states (`ts_ms` 1e-3, `timestampUs` 1e-6, `t_ns` 1e-9), or null. */
export function timeUnitOfName(name: string): number | null {
  const m = TIME_KEY.exec(name);
  const suffix = m?.[3]?.toLowerCase();
  if (suffix === undefined) return null;
  if (suffix === 'ms' || suffix === 'millis') return 1e-3;
  if (suffix === 'us' || suffix === 'micros') return 1e-6;
  if (suffix === 'ns' || suffix === 'nanos') return 1e-9;
  if (suffix === 'utc') return null;
  return 1;
}

/** The words of a key's last part: `payload.contextTokens` -> [context, tokens], `country_code` -> [country, code]. */
function keyWords(name: string): string[] {
  const last = name.split('.').pop()!;
  return last
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}

/** Whole words that name a per-message size or a rate in a JSON key (not substrings: `country_code` is no count). */
const VALUE_WORDS = new Set(['size', 'bytes', 'byte', 'tokens', 'length', 'len', 'rate', 'count', 'value', 'requests', 'messages', 'msgs', 'events', 'qps', 'rps', 'tps']);

/** True when a key names a size or a rate by a whole word, and does not end in an identifier's word (id, code). */
export function isValueKeyName(name: string): boolean {
  const words = keyWords(name);
  const lastWord = words[words.length - 1];
  if (lastWord === undefined || lastWord === 'id' || lastWord === 'code') return false;
  return words.some((w) => VALUE_WORDS.has(w));
}

/** True when a line is a JSON object's start: the file is read as JSON lines. */
export function looksLikeJsonLine(line: string): boolean {
  return line.startsWith('{');
}

/** The object on one line, or an explanation of why the line is not one. */
export function parseJsonObject(line: string): { object: Record<string, unknown> } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return { error: `not valid JSON (${(e as Error).message})` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: 'not a JSON object' };
  return { object: value as Record<string, unknown> };
}

/** Every key of an object, nested objects' keys dotted after their parent's, in the object's order. */
export function jsonKeys(object: Record<string, unknown>, prefix: string[] = []): JsonKey[] {
  const keys: JsonKey[] = [];
  for (const [key, value] of Object.entries(object)) {
    const path = [...prefix, key];
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) keys.push(...jsonKeys(value as Record<string, unknown>, path));
    else keys.push({ name: path.join('.'), path });
  }
  return keys;
}

/** The value at a key's path, or undefined when a line lacks it. */
export function jsonValue(object: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = object;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A value as a table field: numbers and strings as they are, null as an empty field, anything else as JSON. */
export function jsonField(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

/**
 * The columns a JSON lines trace reads when none are chosen: the time key, then the first other key that names a
 * size or a rate by a whole word (isValueKeyName) and holds a number, if any. The time key is, in this order, the
 * first key named like a time holding a date or a Unix time (`isTime(field, false)`), the first key named like a
 * time holding any number (seconds from a start, or in the unit of its suffix), the first key of any name holding a
 * date or a Unix time. So `{"t": 21.5, "ts": 1700000000}` reads `ts` (`t` is a temperature), and
 * `{"id": 1700000001, "ts": 5}` reads `ts`. Null when no key holds a time.
 */
export function defaultJsonColumns(object: Record<string, unknown>, keys: readonly JsonKey[], isTime: (field: string, named: boolean) => boolean): number[] | null {
  const fields = keys.map((k) => jsonField(jsonValue(object, k.path)));
  const named = (i: number): boolean => isTimeName(keys[i]!.path[keys[i]!.path.length - 1]!);
  let time = keys.findIndex((_, i) => named(i) && isTime(fields[i]!, false));
  if (time < 0) time = keys.findIndex((_, i) => named(i) && isTime(fields[i]!, true));
  if (time < 0) time = fields.findIndex((f) => isTime(f, false));
  if (time < 0) return null;
  const value = keys.findIndex((k, i) => i !== time && fields[i] !== '' && Number.isFinite(Number(fields[i])) && isValueKeyName(k.name));
  return value < 0 ? [time] : [time, value];
}
