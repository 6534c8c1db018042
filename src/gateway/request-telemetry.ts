import { DURATION_BUCKETS, RequestSeries } from '../telemetry/index.js';

/** Bounded label values of one finished request (DESIGN.md, Telemetry): never a raw path. */
export interface RequestLabels {
  readonly api_name: string;
  readonly api_version_name: string;
  readonly code: string;
  readonly method: string;
  readonly email: string;
  readonly token_name: string;
  readonly revision: string;
}

/** Methods outside this set are counted as `OTHER`, so a client cannot invent label values. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

export function metricMethod(method: string | undefined): string {
  return method !== undefined && KNOWN_METHODS.has(method) ? method : 'OTHER';
}

/**
 * Where a finished request is recorded: in-process series, or a worker's link to its primary.
 * `key` identifies the label set (built from parts the gateway precomputes per route and per
 * consumer); `labels` is called only the first time a key is seen.
 */
export interface RequestRecorder {
  record(key: string, labels: () => RequestLabels, seconds: number): void;
}

/** The gateway's request series: `gitgate_requests_total` and `gitgate_request_duration_seconds`. */
export function createRequestSeries(trackDeltas = false): RequestSeries {
  return new RequestSeries(
    {
      counter: { name: 'gitgate_requests', description: 'Requests answered by the gateway' },
      histogram: { name: 'gitgate_request_duration_seconds', description: 'Time from request to the end of the answer', unit: 's' },
      boundaries: DURATION_BUCKETS,
    },
    trackDeltas,
  );
}

/** Records requests into a series, keyed by their label values. */
export class RequestTelemetry implements RequestRecorder {
  readonly series: RequestSeries;

  constructor(series: RequestSeries = createRequestSeries()) {
    this.series = series;
  }

  record(key: string, labels: () => RequestLabels, seconds: number): void {
    this.series.record(key, labels as unknown as () => Record<string, string>, seconds);
  }
}
