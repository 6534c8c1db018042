import type { Counter, Histogram, Meter } from '@opentelemetry/api';

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

/** Where a finished request is recorded: OpenTelemetry in-process, or a worker's link to its primary. */
export interface RequestRecorder {
  record(labels: RequestLabels, seconds: number): void;
}

/** The gateway's request instruments: a counter and a duration histogram with the same labels. */
export class RequestTelemetry implements RequestRecorder {
  readonly #requests: Counter;
  readonly #duration: Histogram;

  constructor(meter: Meter) {
    this.#requests = meter.createCounter('gitgate_requests', { description: 'Requests answered by the gateway' });
    this.#duration = meter.createHistogram('gitgate_request_duration', { description: 'Time from request to the end of the answer', unit: 's' });
  }

  record(labels: RequestLabels, seconds: number): void {
    this.#requests.add(1, labels as unknown as Record<string, string>);
    this.#duration.record(seconds, labels as unknown as Record<string, string>);
  }
}
