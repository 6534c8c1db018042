import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Meter } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, PeriodicExportingMetricReader, type IMetricReader, type MetricProducer } from '@opentelemetry/sdk-metrics';

export interface MetricsOptions {
  readonly serviceName: string;
  /** Serve the Prometheus text format (the admin listener's `/metrics`). */
  readonly prometheus: boolean;
  /** Push OTLP/HTTP metrics to this URL (`http://collector:4318/v1/metrics`). */
  readonly otlpUrl?: string;
  readonly otlpIntervalMs?: number;
  /** Pre-aggregated metrics (the gateway's request series) exported next to the instruments'. */
  readonly producers?: readonly MetricProducer[];
}

export interface Metrics {
  readonly meter: Meter;
  /** Answers a scrape in the Prometheus text format; undefined without `prometheus`. */
  readonly prometheusHandler: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  shutdown(): Promise<void>;
}

/** Request durations in seconds: fine below 10 ms where a gateway lives, coarse above. */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One MeterProvider for the process, exported to Prometheus and/or OTLP. */
export function createMetrics(options: MetricsOptions): Metrics {
  const readers: IMetricReader[] = [];
  let prometheus: PrometheusExporter | undefined;
  if (options.prometheus) {
    prometheus = new PrometheusExporter({ preventServerStart: true, metricProducers: [...(options.producers ?? [])] });
    readers.push(prometheus);
  }
  if (options.otlpUrl !== undefined) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: options.otlpUrl }),
        exportIntervalMillis: options.otlpIntervalMs ?? 15_000,
        metricProducers: [...(options.producers ?? [])],
      }),
    );
  }
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    readers,
    views: [
      {
        instrumentName: '*duration*',
        aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: DURATION_BUCKETS } },
      },
    ],
  });
  return {
    meter: provider.getMeter('gitgate'),
    prometheusHandler: prometheus === undefined ? undefined : (request, response) => prometheus.getMetricsRequestHandler(request, response),
    shutdown: () => provider.shutdown(),
  };
}
