/** OpenTelemetry set-up (Prometheus and OTLP exporters) and the JSON logger. Imports nothing of ours. */
export { createMetrics, DURATION_BUCKETS } from './metrics.js';
export { RequestSeries } from './request-series.js';
export type { RequestSeriesOptions, SeriesDelta } from './request-series.js';
export type { Metrics, MetricsOptions } from './metrics.js';
export { createLogger, silentLogger } from './logger.js';
export type { Logger, LogLevel } from './logger.js';
export type { Meter } from '@opentelemetry/api';
