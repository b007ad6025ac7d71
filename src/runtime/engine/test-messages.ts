/**
 * Device messages for the engine's tests and benchmark: real generator payloads (src/runtime/devices/generators.ts)
 * in real envelopes, with chosen timestamps, so tests control event time exactly.
 */
import { Rng } from '../../core/rng.ts';
import type { ScenarioName } from '../../env/spark-iot-types.ts';
import { createDeviceModel, type DeviceModel } from '../devices/generators.ts';
import type { DeviceMessage } from '../devices/schemas.ts';
import { scenarioKinds } from '../devices/topics.ts';

export interface MessageFactoryOptions {
  scenario?: ScenarioName;
  devices?: number;
  seed?: number;
}

export class MessageFactory {
  readonly scenario: ScenarioName;
  readonly models: DeviceModel[];
  private readonly seqs: number[];

  constructor(options: MessageFactoryOptions = {}) {
    this.scenario = options.scenario ?? 'balanced';
    const rng = new Rng(options.seed ?? 1);
    const kinds = scenarioKinds(this.scenario);
    const n = options.devices ?? 10;
    this.models = Array.from({ length: n }, (_, i) => createDeviceModel(kinds[i % kinds.length]!, `dev-${String(i).padStart(4, '0')}`, rng.fork(`d${i}`)));
    this.seqs = this.models.map(() => 0);
  }

  /** The next message of device `index`, sent at `sentAtMs`. */
  next(index: number, sentAtMs: number): DeviceMessage {
    const model = this.models[index]!;
    return {
      schemaVersion: 1,
      kind: model.kind,
      scenario: this.scenario,
      deviceId: model.deviceId,
      seq: this.seqs[index]!++,
      sentAtMs,
      payload: model.next(12),
    } as DeviceMessage;
  }

  /** `count` messages round-robin over the devices, sent `spacingMs` apart from `startMs`. */
  batch(count: number, startMs: number, spacingMs = 1): DeviceMessage[] {
    return Array.from({ length: count }, (_, i) => this.next(i % this.models.length, startMs + Math.floor(i * spacingMs)));
  }
}
