/**
 * JSON lines traces (one JSON object a line: an MQTT or Kafka topic dumped to a file, a log shipper's output). The
 * trace reader (src/workload/trace-formats.ts) sees such a file as a table whose columns are the first object's keys
 * (a nested object's keys dotted: `payload.bytes`); these helpers find the keys and read a line's values as fields.
 */

import { decimalOf } from './decimal.ts';
import { isBareCountName, isTimeName, isValueKeyName } from './column-names.ts';

/** A key of the first object: its dotted name and its path (a key may itself hold a dot). */
export interface JsonKey {
  name: string;
  path: string[];
}

/** True when a line is a JSON object's start, or fields and then one (splitJsonLine): the file is read as JSON lines. */
export function looksLikeJsonLine(line: string): boolean {
  if (line.startsWith('{')) return true;
  const split = splitJsonLine(line);
  return split !== null && 'object' in parseJsonObject(split.json);
}

/** Most fields a line may print before its object (Kafka's timestamp, partition, offset and key, say). */
const MAX_PREFIX_FIELDS = 4;

/**
 * A line's fields before its JSON object, and the object's text: what the usual consumers print with each message.
 * `mosquitto_sub -v` prints the topic and a space; `kafka-console-consumer --property print.timestamp=true` prints
 * `CreateTime:1700000000468` and a tab (and with `print.key=true` the key and a tab). The object starts at the first
 * `{`, which must follow a space or a tab; the fields before it hold none, nor a comma or a semicolon (a CSV row).
 * Null when the line has no such shape.
 */
export function splitJsonLine(line: string): { prefix: string[]; json: string } | null {
  if (line.startsWith('{')) return { prefix: [], json: line };
  // No comma or semicolon before the object: that is a CSV row with a brace in a field.
  const m = /^([^{,;]*?)[ \t]+(\{.*)$/.exec(line);
  if (m === null || m[1]!.trim() === '') return null;
  const prefix = m[1]!.trim().split(/[ \t]+/);
  return prefix.length <= MAX_PREFIX_FIELDS ? { prefix, json: m[2]! } : null;
}

/**
 * A line as one object: the fields before its JSON object (splitJsonLine) first, a `Name:value` field as key `Name`
 * (Kafka's `CreateTime`, `LogAppendTime`, `Partition`, `Offset`), any other as `prefix1`, `prefix2`, ... (a topic, a
 * key); then the object's keys (one of the same name replaces the field's value). `json` is the object's text.
 */
export function parseJsonLine(line: string): { object: Record<string, unknown>; json: string } | { error: string } {
  const split = splitJsonLine(line);
  // No fields and no object after them: the line is an object or nothing (parseJsonObject says why).
  const text = split?.json ?? line;
  const parsed = parseJsonObject(text);
  if ('error' in parsed) return parsed;
  if (split === null || split.prefix.length === 0) return { object: parsed.object, json: text };
  const object: Record<string, unknown> = {};
  split.prefix.forEach((field, i) => {
    const named = /^([A-Za-z][A-Za-z_]*):(.+)$/.exec(field);
    if (named) object[named[1]!] = named[2]!;
    else object[`prefix${i + 1}`] = field;
  });
  return { object: Object.assign(object, parsed.object), json: split.json };
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
  // A count inside a nested object is what a message reports (`payload.vehicleCount`), not how many messages a row
  // stands for: only a top-level key may name a bare count or value; nested, a key must name a size or a rate.
  const value = keys.findIndex((k, i) => i !== time && decimalOf(fields[i]) !== null && isValueKeyName(k.name) && (k.path.length === 1 || !isBareCountName(k.name)));
  return value < 0 ? [time] : [time, value];
}
