/** OpenTelemetry set-up (Prometheus and OTLP exporters) and the JSON logger. Imports nothing of ours. */
export { createMetrics } from './metrics.js';
export type { Metrics, MetricsOptions } from './metrics.js';
export { createLogger, silentLogger } from './logger.js';
export type { Logger, LogLevel } from './logger.js';
export type { Meter } from '@opentelemetry/api';
