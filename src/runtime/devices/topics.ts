/**
 * MQTT topic names of the live pipeline (devices -> edge gateways -> micro-batch engine -> controller).
 *
 * The original system used three flat topics (`iot/smartcity/sensors`, `iot/healthcare/vitals`,
 * `iot/industrial/machines`, original-system.md §7.2). Here every device publishes on its own topic, so a
 * gateway can subscribe to a subset of devices and a topic names its sender (the validator checks that the
 * payload's deviceId agrees with it). Payloads are documented in docs/MESSAGES.md.
 */
import { SCENARIOS, type ScenarioName } from '../../env/spark-iot-types.ts';

export const TOPIC_ROOT = 'edgepilot';

/** The kinds of device message (one zod schema each); the `balanced` scenario mixes all three. */
export const MESSAGE_KINDS = ['healthcare', 'industrial', 'smart-city'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** Which message kinds a scenario's fleet is made of. */
export function scenarioKinds(scenario: ScenarioName): readonly MessageKind[] {
  return scenario === 'balanced' ? MESSAGE_KINDS : [scenario];
}

export function isScenarioName(x: string): x is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(x);
}

/**
 * One topic level naming a device or gateway: no MQTT wildcards (`+`, `#`), no `/`, no `$` prefix, so an id
 * can never widen a subscription or escape its level.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function checkId(what: string, id: string): void {
  if (!ID_PATTERN.test(id)) throw new Error(`topics: ${what} '${id}' must match ${ID_PATTERN} (letters, digits, _ . -; at most 64)`);
}

function checkScenario(scenario: string): void {
  if (!isScenarioName(scenario)) throw new Error(`topics: unknown scenario '${scenario}' (expected one of ${SCENARIOS.join(', ')})`);
}

/** Where a device publishes its readings (QoS 1, JSON DeviceMessage). */
export function deviceTopic(scenario: ScenarioName, deviceId: string): string {
  checkScenario(scenario);
  checkId('deviceId', deviceId);
  return `${TOPIC_ROOT}/devices/${scenario}/${deviceId}`;
}

/** Subscription filter for every device of one scenario, or of all scenarios. */
export function deviceTopicFilter(scenario?: ScenarioName): string {
  if (scenario === undefined) return `${TOPIC_ROOT}/devices/#`;
  checkScenario(scenario);
  return `${TOPIC_ROOT}/devices/${scenario}/+`;
}

/** Where an edge gateway forwards (possibly batched or filtered) device messages to the cloud ingest. */
export function ingestTopic(scenario: ScenarioName): string {
  checkScenario(scenario);
  return `${TOPIC_ROOT}/ingest/${scenario}`;
}

/** Where an edge gateway publishes its burst forecast (EdgeForecast from src/core/types.ts, JSON). */
export function forecastTopic(gatewayId: string): string {
  checkId('gatewayId', gatewayId);
  return `${TOPIC_ROOT}/edge/${gatewayId}/forecast`;
}

export const FORECAST_TOPIC_FILTER = `${TOPIC_ROOT}/edge/+/forecast`;

/** Micro-batch results (aggregates per window) of one scenario, published by the engine. */
export function resultsTopic(scenario: ScenarioName): string {
  checkScenario(scenario);
  return `${TOPIC_ROOT}/outputs/${scenario}/results`;
}

/** Alerts (device readings the engine flagged: HIGH vitals, CRITICAL machines) of one scenario. */
export function alertsTopic(scenario: ScenarioName): string {
  checkScenario(scenario);
  return `${TOPIC_ROOT}/outputs/${scenario}/alerts`;
}

/** The controller's decisions (Action plus the snapshot it was based on), for the dashboard. */
export const CONTROL_ACTIONS_TOPIC = `${TOPIC_ROOT}/control/actions`;
/** The engine's per-interval SystemSnapshot, for the controller and the dashboard. */
export const CONTROL_SNAPSHOTS_TOPIC = `${TOPIC_ROOT}/control/snapshots`;

export type ParsedTopic =
  | { type: 'device'; scenario: ScenarioName; deviceId: string }
  | { type: 'ingest'; scenario: ScenarioName }
  | { type: 'forecast'; gatewayId: string }
  | { type: 'results' | 'alerts'; scenario: ScenarioName }
  | { type: 'control-actions' | 'control-snapshots' };

/** The inverse of the builders above; null for any topic outside this scheme. Never throws. */
export function parseTopic(topic: string): ParsedTopic | null {
  if (typeof topic !== 'string' || topic.length > 256) return null;
  const parts = topic.split('/');
  if (parts[0] !== TOPIC_ROOT) return null;
  const [, area, a, b, ...rest] = parts;
  if (rest.length > 0) return null;
  if (area === 'devices' && a !== undefined && b !== undefined && isScenarioName(a) && ID_PATTERN.test(b)) {
    return { type: 'device', scenario: a, deviceId: b };
  }
  if (area === 'ingest' && a !== undefined && b === undefined && isScenarioName(a)) return { type: 'ingest', scenario: a };
  if (area === 'edge' && a !== undefined && b === 'forecast' && ID_PATTERN.test(a)) return { type: 'forecast', gatewayId: a };
  if (area === 'outputs' && a !== undefined && (b === 'results' || b === 'alerts') && isScenarioName(a)) return { type: b, scenario: a };
  if (area === 'control' && b === undefined && a === 'actions') return { type: 'control-actions' };
  if (area === 'control' && b === undefined && a === 'snapshots') return { type: 'control-snapshots' };
  return null;
}
