/**
 * Where the engine's results go: windows.jsonl and alerts.jsonl in the output folder (one JSON object per line),
 * and, when a publish function is given, the MQTT topics of docs/MESSAGES.md (results and alerts per scenario),
 * as JSON arrays: one message per scenario and micro-batch.
 * A failing publish is counted, never thrown: outputs must not stop the stream. A failing file (disk full, folder
 * removed, not writable) is counted too, and reported once per file through `onFileError`; what could not be written
 * is counted in windowsLost / alertsLost, so a summary can say so instead of presenting a truncated file as complete.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioName } from '../../env/spark-iot-types.ts';
import { alertsTopic, isScenarioName, resultsTopic } from '../devices/topics.ts';
import type { Alert } from './anomalies.ts';
import type { WindowAggregate } from './windows.ts';

/** Most windows or alerts in one MQTT message (keeps a message well under typical broker limits). */
const MAX_ITEMS_PER_MESSAGE = 500;

/** Publishes one MQTT message (e.g. `(t, p) => client.publishAsync(t, p, { qos: 1 })`). */
export type PublishFn = (topic: string, payload: string) => unknown;

export class OutputSink {
  readonly windowsPath: string;
  readonly alertsPath: string;
  private readonly windows: WriteStream;
  private readonly alerts: WriteStream;
  windowsWritten = 0;
  alertsWritten = 0;
  /** MQTT messages sent, and the windows/alerts they carried. */
  published = 0;
  publishedItems = 0;
  publishFailures = 0;
  lastPublishError = '';
  fileErrors = 0;
  lastFileError = '';
  /** Windows / alerts whose write failed or came after the file had failed (not on disk; still published). */
  windowsLost = 0;
  alertsLost = 0;

  constructor(
    outputDir: string,
    private readonly publish?: PublishFn,
    /** Told of the first error of each file (with its path); later errors of that file are only counted. */
    onFileError?: (path: string, err: Error) => void,
  ) {
    mkdirSync(outputDir, { recursive: true });
    this.windowsPath = join(outputDir, 'windows.jsonl');
    this.alertsPath = join(outputDir, 'alerts.jsonl');
    this.windows = createWriteStream(this.windowsPath, { flags: 'a' });
    this.alerts = createWriteStream(this.alertsPath, { flags: 'a' });
    // A file error (disk full, folder removed) is counted; without a listener it would kill the process.
    for (const [stream, path] of [
      [this.windows, this.windowsPath],
      [this.alerts, this.alertsPath],
    ] as const) {
      let reported = false;
      stream.on('error', (err) => {
        this.fileErrors++;
        this.lastFileError = `${path}: ${err.message}`;
        if (reported) return;
        reported = true;
        try {
          onFileError?.(path, err);
        } catch {
          // a logging failure must not turn a file error into a crash
        }
      });
    }
  }

  writeWindows(list: readonly WindowAggregate[]): void {
    if (list.length === 0) return;
    const n = list.length;
    if (this.windows.destroyed || this.windows.errored) this.windowsLost += n;
    // A failed write calls back with the error (and so does every write still buffered behind it).
    else this.windows.write(list.map((w) => JSON.stringify(w)).join('\n') + '\n', (err) => void (err && (this.windowsLost += n)));
    this.windowsWritten += list.length;
    this.sendBatched(list, resultsTopic);
  }

  writeAlerts(list: readonly Alert[]): void {
    if (list.length === 0) return;
    const n = list.length;
    if (this.alerts.destroyed || this.alerts.errored) this.alertsLost += n;
    else this.alerts.write(list.map((a) => JSON.stringify(a)).join('\n') + '\n', (err) => void (err && (this.alertsLost += n)));
    this.alertsWritten += list.length;
    this.sendBatched(list, alertsTopic);
  }

  /** False once a file failed: windows.jsonl / alerts.jsonl then miss results (windowsLost, alertsLost, lastFileError). */
  get filesComplete(): boolean {
    return this.fileErrors === 0;
  }

  /** Flushes and closes both files. */
  async close(): Promise<void> {
    await Promise.all(
      [this.windows, this.alerts].map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.destroyed || s.writableFinished) return resolve();
            s.once('error', () => resolve());
            s.end(() => resolve());
          }),
      ),
    );
  }

  /**
   * One MQTT message per scenario and micro-batch: a JSON array of at most MAX_ITEMS_PER_MESSAGE items (at
   * 10,000 msgs/s the healthcare rules raise hundreds of alerts per second; one message each would cost more
   * than the stream itself).
   */
  private sendBatched(list: readonly { scenario: string }[], topicOf: (scenario: ScenarioName) => string): void {
    if (this.publish === undefined) return;
    const byScenario = new Map<ScenarioName, unknown[]>();
    for (const item of list) {
      if (!isScenarioName(item.scenario)) continue;
      let group = byScenario.get(item.scenario);
      if (group === undefined) byScenario.set(item.scenario, (group = []));
      group.push(item);
    }
    for (const [scenario, items] of byScenario) {
      for (let i = 0; i < items.length; i += MAX_ITEMS_PER_MESSAGE) {
        const chunk = items.slice(i, i + MAX_ITEMS_PER_MESSAGE);
        try {
          const result = this.publish(topicOf(scenario), JSON.stringify(chunk));
          this.published++;
          this.publishedItems += chunk.length;
          if (result instanceof Promise) result.catch((err: unknown) => this.noteFailure(err));
        } catch (err) {
          this.noteFailure(err);
        }
      }
    }
  }

  private noteFailure(err: unknown): void {
    this.publishFailures++;
    this.lastPublishError = err instanceof Error ? err.message : String(err);
  }
}
