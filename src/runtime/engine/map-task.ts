/**
 * The map stage of one micro-batch split, as run by an executor: parse each message, extract its main readings,
 * apply the stateless anomaly rules, and partition the records by device into one shuffle block per reduce
 * partition. Pure (no I/O, no clock), so the worker thread and the inline executor run the same code.
 *
 * Input and output cross the thread boundary as byte buffers (one transfer per task, never one message at a
 * time): the split is newline-separated JSON, each output block is newline-separated shuffle records.
 */
import { isDeviceMessage } from '../devices/fast-validate.ts';
import { deviceMessageSchema } from '../devices/schemas.ts';
import { rangeAnomalies, type Alert } from './anomalies.ts';
import { extractReadings, isPayloadType } from './readings.ts';
import { encodeRecord, partitionOf, type ShuffleRecord } from './records.ts';

export interface MapTaskInput {
  taskId: number;
  partitions: number;
  /** Newline-separated JSON DeviceMessages. */
  lines: Uint8Array;
  /** Receive time of each line, same order. */
  receivedAtMs: Float64Array;
  /** 1 = run the full message schema (docs/MESSAGES.md) on this line here, on the executor; 0 = validated upstream. */
  validate?: Uint8Array;
}

export interface MapTaskOutput {
  taskId: number;
  /** One block per reduce partition (possibly empty). */
  blocks: Uint8Array[];
  recordCounts: number[];
  alerts: Alert[];
  /** Lines that were not a usable message (validated upstream, so normally 0); with a sample reason. */
  malformed: number;
  malformedDetail: string;
  /** Wall time the task took on its executor (ms). */
  busyMs: number;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function runMapTask(input: MapTaskInput): MapTaskOutput {
  const started = performance.now();
  const partitions = input.partitions;
  const outLines: string[][] = Array.from({ length: partitions }, () => []);
  const alerts: Alert[] = [];
  let malformed = 0;
  let malformedDetail = '';
  const text = decoder.decode(input.lines);
  const lines = text.length === 0 ? [] : text.split('\n');
  if (lines.length !== input.receivedAtMs.length) {
    throw new Error(`map task ${input.taskId}: ${lines.length} lines but ${input.receivedAtMs.length} receive times`);
  }
  for (let i = 0; i < lines.length; i++) {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(lines[i]!) as Record<string, unknown>;
    } catch (err) {
      malformed++;
      malformedDetail ||= `line ${i + 1}: ${(err as Error).message}`;
      continue;
    }
    // The hand-written check decides as the zod schema does (fast-validate.ts); zod runs only to name the field.
    if (input.validate !== undefined && input.validate[i] === 1 && !isDeviceMessage(m)) {
      const checked = deviceMessageSchema.safeParse(m);
      if (!checked.success) {
        malformed++;
        const issue = checked.error.issues[0]!;
        malformedDetail ||= `line ${i + 1}: ${issue.path.join('.') || '(root)'}: ${issue.message}`;
        continue;
      }
    }
    const payload = m?.payload as Record<string, unknown> | undefined;
    const type = payload?.type;
    if (typeof m?.deviceId !== 'string' || typeof m.sentAtMs !== 'number' || !isPayloadType(type) || typeof payload !== 'object') {
      malformed++;
      malformedDetail ||= `line ${i + 1}: not a device message (deviceId, sentAtMs or payload.type missing)`;
      continue;
    }
    const record: ShuffleRecord = {
      scenario: String(m.scenario),
      deviceId: m.deviceId,
      kind: String(m.kind),
      type,
      sentAtMs: m.sentAtMs,
      receivedAtMs: input.receivedAtMs[i]!,
      readings: extractReadings(type, payload),
    };
    const found = rangeAnomalies(record, type, payload);
    for (let k = 0; k < found.length; k++) alerts.push(found[k]!);
    outLines[partitionOf(m.deviceId, partitions)]!.push(encodeRecord(record));
  }
  return {
    taskId: input.taskId,
    blocks: outLines.map((ls) => encoder.encode(ls.join('\n'))),
    recordCounts: outLines.map((ls) => ls.length),
    alerts,
    malformed,
    malformedDetail,
    busyMs: performance.now() - started,
  };
}
