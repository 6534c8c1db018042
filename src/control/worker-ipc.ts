import type { RequestLabels, RequestRecorder } from '../gateway/index.js';
import type { RuntimeConfig } from '../policy/index.js';

/** Messages between `gitgate serve --workers N` and its gateway workers. */
export type ToWorker = { readonly type: 'config'; readonly config: RuntimeConfig } | { readonly type: 'stop' };
export type FromWorker =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'applied'; readonly hash: string }
  | { readonly type: 'heartbeat'; readonly hash: string | null }
  | { readonly type: 'metrics'; readonly batch: readonly (readonly [labels: string, seconds: readonly number[]])[] };

/** What a worker needs to start: plain JSON, passed in its environment. */
export interface WorkerSettings {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly serviceOverrides: readonly (readonly [string, string])[];
  readonly accessLog: boolean;
  readonly upstream?: Record<string, number>;
  readonly maxBodyBytes?: number;
}

export const WORKER_SETTINGS_ENV = 'GITGATE_WORKER_SETTINGS';

/**
 * A worker's request recorder: observations are grouped by label set and sent to the primary
 * once a second, which records them in the one set of instruments /metrics exposes. The series
 * are the same as with a single process.
 */
export class IpcRecorder implements RequestRecorder {
  #pending = new Map<string, number[]>();
  readonly #timer: NodeJS.Timeout;

  constructor(send: (message: FromWorker) => void, intervalMs = 1000) {
    this.#timer = setInterval(() => {
      if (this.#pending.size === 0) return;
      const batch = [...this.#pending];
      this.#pending = new Map();
      send({ type: 'metrics', batch });
    }, intervalMs);
    this.#timer.unref();
  }

  record(labels: RequestLabels, seconds: number): void {
    const key = JSON.stringify(labels);
    const list = this.#pending.get(key);
    if (list === undefined) this.#pending.set(key, [seconds]);
    else list.push(seconds);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
