/**
 * What a column's or a key's name says, for the trace reader (src/workload/trace-formats.ts, json-lines.ts): that it
 * holds a record's time (and in which unit), a per-message size or a rate, or the unit of a numeric t column.
 *
 * Two vocabularies name sizes and rates: SIZE_WORDS / RATE_WORDS match substrings of a CSV header's second column
 * (since session 11; `ContextTokens`, `msgs_per_s`), isValueKeyName whole words of a JSON key (session 15: a JSON
 * object has many keys, and `country_code` must not read as a count). Unifying them would change how some CSV
 * headers read.
 */

// Header words that say what the second column holds: a per-message size (an event log) or a per-row rate.
export const SIZE_WORDS = /size|byte|token|length|payload/i;
export const RATE_WORDS = /rate|count|value|requests|messages|msgs|events|per_|per |qps|rps|tps/i;

/**
 * Names of a record's time, in any case, with an optional unit suffix (`ts_ms`, `timestampMs`, `tSeconds`):
 * `@timestamp` is Elasticsearch's and Logstash's, `_time` InfluxDB's, `tSeconds` Edgepilot's own decision log's.
 */
const TIME_KEY = /^[_@]?(timestamp|ts|time|t|date|datetime|date_?time|time_?stamp|created_?at|event_?time|received_?at|published_?at|create_?time|log_?append_?time)([_-]?(s|secs?|seconds|ms|millis|us|micros|ns|nanos|utc))?$/i;

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

/** Words of a key that count something without saying it is messages or bytes (`vehicleCount`, `value`). */
const BARE_COUNT_WORDS = new Set(['count', 'value']);
const SIZE_KEY_WORDS = new Set(['size', 'bytes', 'byte', 'tokens', 'length', 'len']);

/** Words that say a count is of messages (`msgCount`, `eventCount`, `records`). */
const MESSAGE_WORDS = new Set(['msg', 'msgs', 'message', 'messages', 'event', 'events', 'request', 'requests', 'record', 'records']);

/** True when a key names a count or a value of something else than messages: no size, rate or message word. */
export function isBareCountName(name: string): boolean {
  const words = keyWords(name);
  const qualified = (w: string): boolean => MESSAGE_WORDS.has(w) || (VALUE_WORDS.has(w) && !BARE_COUNT_WORDS.has(w));
  return words.some((w) => BARE_COUNT_WORDS.has(w)) && !words.some(qualified);
}

/** What a JSON key names by the whole words of its last part: a per-message size, a rate or count, or neither. */
export function valueKeyKind(name: string): 'size' | 'rate' | null {
  if (!isValueKeyName(name)) return null;
  return keyWords(name).some((w) => SIZE_KEY_WORDS.has(w)) ? 'size' : 'rate';
}

/** A t column's header that names its unit (`minute`, `t_min`, `hours`): seconds per unit, or null. */
export function stepOfUnitName(name: string | undefined): { stepS: number; unit: string } | null {
  const m = name === undefined ? null : /^(?:t[_-]?)?(sec(?:ond)?s?|min(?:ute)?s?|h(?:ou)?rs?|days?)$/i.exec(name.trim());
  if (!m) return null;
  const word = m[1]!.toLowerCase();
  if (word.startsWith('s')) return { stepS: 1, unit: 'seconds' };
  if (word.startsWith('m')) return { stepS: 60, unit: 'minutes' };
  if (word.startsWith('h')) return { stepS: 3600, unit: 'hours' };
  return { stepS: 86_400, unit: 'days' };
}

