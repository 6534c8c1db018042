import { createRequestSeries, RequestTelemetry } from '../gateway/index.js';
import type { ConfigChunk } from '../policy/index.js';
import type { SeriesDelta } from '../telemetry/index.js';

/** Messages between `gitgate serve --workers N` and its gateway workers. */
/** A configuration travels in pieces (see splitConfig): one large message would block the worker. */
export type ToWorker = { readonly type: 'config'; readonly chunk: ConfigChunk } | { readonly type: 'stop' };
export type FromWorker =
  | { readonly type: 'ready'; readonly port: number }
  /** The worker could not start (its listener, its store): it exits after saying why. */
  | { readonly type: 'failed'; readonly message: string; readonly code: string | undefined }
  | { readonly type: 'applied'; readonly hash: string }
  | { readonly type: 'heartbeat'; readonly hash: string | null }
  | { readonly type: 'metrics'; readonly deltas: readonly SeriesDelta[] };

/** What a worker needs to start: plain JSON, passed in its environment. */
export interface WorkerSettings {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly serviceOverrides: readonly (readonly [string, string])[];
  readonly accessLog: boolean;
  readonly upstream?: Record<string, number>;
  readonly maxBodyBytes?: number;
  readonly portalOrigins?: readonly string[];
  readonly redisUrl?: string;
}

export const WORKER_SETTINGS_ENV = 'GITGATE_WORKER_SETTINGS';

/**
 * A worker's request telemetry: it aggregates like the primary's and sends what changed once a
 * second; the primary merges it into the one series /metrics exposes, so the series are the
 * same as with a single process.
 */
export class IpcRecorder extends RequestTelemetry {
  readonly #timer: NodeJS.Timeout;

  constructor(send: (message: FromWorker) => void, intervalMs = 1000) {
    super(createRequestSeries(true));
    this.#timer = setInterval(() => {
      const deltas = this.series.drain();
      if (deltas.length > 0) send({ type: 'metrics', deltas });
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** A worker that could not start, with the code of its error (`ERR_LISTEN`...) for the CLI. */
export class WorkerStartError extends Error {
  readonly code: string | undefined;

  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}
