/**
 * Shuffle records: what the map stage writes into a shuffle block and the reduce stage reads back.
 * One record per message, one line per record, tab-separated (cheaper to split than JSON to parse):
 *
 *   deviceId \t scenario \t kind \t type \t sentAtMs \t receivedAtMs \t reading0 \t reading1 ...
 *
 * Ids are topic-safe (no tabs or newlines, docs/MESSAGES.md), readings are numbers ('' for a missing one).
 */
import { isPayloadType, type PayloadType } from './readings.ts';

export interface ShuffleRecord {
  deviceId: string;
  scenario: string;
  kind: string;
  type: PayloadType;
  sentAtMs: number;
  receivedAtMs: number;
  readings: number[];
}

export function encodeRecord(r: ShuffleRecord): string {
  let line = `${r.deviceId}\t${r.scenario}\t${r.kind}\t${r.type}\t${r.sentAtMs}\t${r.receivedAtMs}`;
  for (const v of r.readings) line += Number.isFinite(v) ? `\t${v}` : '\t';
  return line;
}

/** Records of one block, in order. Throws naming the line on anything that is not a record. */
export function decodeRecords(block: Buffer, where: string): ShuffleRecord[] {
  const out: ShuffleRecord[] = [];
  const text = block.toString('utf8');
  if (text.length === 0) return out;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length === 0) continue;
    const f = line.split('\t');
    const type = f[3];
    const sentAtMs = Number(f[4]);
    const receivedAtMs = Number(f[5]);
    if (f.length < 6 || !isPayloadType(type) || !Number.isFinite(sentAtMs) || !Number.isFinite(receivedAtMs) || !f[0]) {
      throw new Error(`${where}: line ${i + 1} is not a shuffle record: '${line.slice(0, 80)}'`);
    }
    const readings: number[] = [];
    for (let k = 6; k < f.length; k++) readings.push(f[k] === '' ? Number.NaN : Number(f[k]));
    out.push({ deviceId: f[0], scenario: f[1]!, kind: f[2]!, type, sentAtMs, receivedAtMs, readings });
  }
  return out;
}

/** Reduce partition of a device: FNV-1a of its id, so one device always lands in one partition. */
export function partitionOf(deviceId: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < deviceId.length; i++) {
    h ^= deviceId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}
