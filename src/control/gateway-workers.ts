import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { ListenAddress, RequestTelemetry } from '../gateway/index.js';
import { splitConfig, type RuntimeConfig } from '../policy/index.js';
import type { Logger } from '../telemetry/index.js';
import { WORKER_SETTINGS_ENV, WorkerStartError, type FromWorker, type ToWorker, type WorkerSettings } from './worker-ipc.js';

/** One gateway process as the admin API lists it. */
export interface GatewayProcess {
  readonly id: string;
  readonly pid: number;
  readonly configHash: string | null;
  readonly lastHeartbeat: string;
}

export interface GatewayWorkers {
  readonly address: ListenAddress;
  processes(): GatewayProcess[];
  /** Sends a configuration to every worker and resolves when all have applied it. */
  apply(config: RuntimeConfig): Promise<void>;
  close(): Promise<void>;
}

/**
 * N gateway processes sharing one port (node:cluster). Each keeps its own key index in sync
 * with the store; the primary sends them every configuration, records their metrics, and
 * replaces a worker that dies, giving it the current configuration.
 */
const APPLY_TIMEOUT_MS = 60_000;

export async function startGatewayWorkers(count: number, settings: WorkerSettings, telemetry: RequestTelemetry, logger: Logger): Promise<GatewayWorkers> {
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./worker-main.js', import.meta.url)), args: [] });
  let current: RuntimeConfig | undefined;
  let stopping = false;
  /** Set once the first workers are up: from then on, a worker that exits is restarted. */
  let started = false;
  let port = settings.port;
  let restarts: number[] = [];
  const workers = new Set<Worker>();
  const waiters = new Map<Worker, (hash: string) => void>();
  const beats = new Map<Worker, { hash: string | null; at: string }>();

  const fork = (): Promise<Worker> =>
    new Promise((resolve, reject) => {
      // Every worker asks for the port as given: in a cluster, workers listening on port 0 all
      // get the same port, while one asking for that port by number would try to bind it again.
      const worker = cluster.fork({ [WORKER_SETTINGS_ENV]: JSON.stringify(settings) });
      workers.add(worker);
      let failure: WorkerStartError | undefined;
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'failed') {
          failure = new WorkerStartError(message.message, message.code);
        } else if (message.type === 'ready') {
          // The first worker bound the port (possibly 0): the others share it.
          port = message.port;
          if (current !== undefined) sendConfig(worker, current);
          resolve(worker);
        } else if (message.type === 'applied') {
          beats.set(worker, { hash: message.hash, at: new Date().toISOString() });
          waiters.get(worker)?.(message.hash);
        } else if (message.type === 'heartbeat') {
          beats.set(worker, { hash: message.hash, at: new Date().toISOString() });
        } else if (message.type === 'metrics') {
          telemetry.series.merge(message.deltas);
        }
      });
      worker.once('exit', (code) => {
        workers.delete(worker);
        beats.delete(worker);
        // An apply waiting for this worker would wait forever: it is done as far as it can be.
        waiters.get(worker)?.(current?.hash ?? '');
        waiters.delete(worker);
        if (stopping) return;
        reject(failure ?? new Error(`gateway worker ${worker.process.pid} exited with code ${code} while starting`));
        // At start, a worker that cannot start is the start's failure: no restarts.
        if (!started) return;
        // Restart with a growing delay; a worker that keeps dying (a port it cannot bind)
        // must not be restarted in a tight loop forever.
        const now = Date.now();
        restarts = [...restarts.filter((at) => now - at < 60_000), now];
        if (restarts.length > 10) {
          logger.error('gateway workers keep exiting: not restarting them any more', { pid: worker.process.pid, code });
          return;
        }
        const delay = Math.min(30_000, 250 * 2 ** (restarts.length - 1));
        logger.error('gateway worker exited: starting a new one', { pid: worker.process.pid, code, inMs: delay });
        setTimeout(() => void fork().catch((error: unknown) => logger.error('could not restart a gateway worker', { error: String(error) })), delay).unref();
      });
    });

  const sendConfig = (worker: Worker, config: RuntimeConfig) => {
    for (const chunk of splitConfig(config)) worker.send({ type: 'config', chunk } satisfies ToWorker);
  };

  // The first worker alone, so a port 0 is chosen once and shared by the others.
  try {
    await fork();
    await Promise.all(Array.from({ length: count - 1 }, fork));
    started = true;
  } catch (error) {
    stopping = true;
    for (const worker of workers) worker.kill();
    throw error;
  }

  return {
    address: { host: settings.host, port },
    processes: () =>
      [...workers].map((worker) => ({
        id: `worker-${worker.id}`,
        pid: worker.process.pid ?? 0,
        configHash: beats.get(worker)?.hash ?? null,
        lastHeartbeat: beats.get(worker)?.at ?? '',
      })),
    apply: async (config) => {
      current = config;
      await Promise.all(
        [...workers].map(
          (worker) =>
            new Promise<void>((resolve) => {
              // A worker that does not answer in time (stopped, overloaded) is left to drift
              // healing: one slow worker must not hold every later sync up.
              const timer = setTimeout(() => {
                logger.warn('a gateway worker did not confirm the configuration in time', { pid: worker.process.pid });
                resolve();
              }, APPLY_TIMEOUT_MS);
              waiters.set(worker, (hash) => {
                if (hash === config.hash || !workers.has(worker)) {
                  clearTimeout(timer);
                  resolve();
                }
              });
              sendConfig(worker, config);
            }),
        ),
      );
    },
    close: async () => {
      stopping = true;
      await Promise.all(
        [...workers].map(
          (worker) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(() => worker.kill(), 5000);
              worker.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              worker.send({ type: 'stop' } satisfies ToWorker);
            }),
        ),
      );
    },
  };
}
