/** The embedded micro-batch engine (docs/ENGINE.md): the public surface for the controller, demo and benchmarks. */
export { StreamEngine, DROP_REASONS, type DropReason, type EngineHooks, type EngineCounters, type BatchReport, type IngestResult, type IntervalStats } from './engine.ts';
export { LocalEngineMetricsSource, percentile, type LocalEngineMetricsOptions } from './metrics-source.ts';
export { LocalEngineActuator } from './actuator.ts';
export { parseEngineOptions, engineOptionsSchema, type EngineOptions, type EngineOptionsInput } from './options.ts';
export type { PublishFn } from './outputs.ts';
export type { WindowAggregate } from './windows.ts';
export type { Alert } from './anomalies.ts';
export { benchmarkEngine, type EngineBenchOptions, type EngineBenchResult } from './bench.ts';
export { MessageFactory } from './test-messages.ts';
