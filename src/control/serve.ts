import type { Server } from 'node:http';
import type { Diagnostic } from '../analyzer/index.js';
import { listen, RequestTelemetry, type ListenAddress, type UpstreamOptions } from '../gateway/index.js';
import type { RuntimeConfig } from '../policy/index.js';
import { openStore, type Store } from '../store/index.js';
import { createMetrics, type Logger, type Metrics } from '../telemetry/index.js';
import { createAdminServer, sendJson } from './admin-server.js';
import { loadAdminToken } from './admin-token.js';
import { readDirectorySnapshot } from './directory-source.js';
import { startGatewayRuntime } from './gateway-runtime.js';
import { startGatewayWorkers } from './gateway-workers.js';
import { buildRevision } from './pipeline.js';

export interface ServeOptions {
  readonly dir: string;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly listen: ListenAddress;
  readonly adminListen: ListenAddress;
  readonly dataDir: string;
  readonly serviceOverrides: ReadonlyMap<string, string>;
  readonly logger: Logger;
  /** Write one JSON line per request to this function (off when undefined). */
  readonly accessLog?: (line: string) => void;
  readonly otlpUrl?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Connections and timeouts towards backends. */
  readonly upstream?: Partial<UpstreamOptions>;
  /** Largest request body forwarded (413 beyond). */
  readonly maxBodyBytes?: number;
  /** Gateway processes (node:cluster); 1 serves in this process. */
  readonly workers?: number;
}

export interface Attempt {
  readonly revision: string;
  readonly at: string;
  readonly result: 'applied' | 'rejected' | 'unchanged';
  readonly diagnostics: readonly Diagnostic[];
}

export interface RunningServe {
  readonly gatewayAddress: ListenAddress;
  readonly adminAddress: ListenAddress;
  readonly adminToken: { readonly token: string; readonly created: boolean; readonly file: string | undefined };
  readonly store: Store;
  status(): { applied: { revision: string; hash: string; at: string } | undefined; lastAttempt: Attempt | undefined };
  /** Re-reads the directory; applies it when it lints clean, keeps the current config otherwise. */
  reload(): Promise<Attempt>;
  close(): Promise<void>;
}

export type StartResult = { readonly ok: true; readonly serve: RunningServe } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** Where configurations go: a gateway in this process, or N workers. */
interface DataPlane {
  readonly address: ListenAddress;
  readonly store: Store;
  apply(config: RuntimeConfig): Promise<void>;
  close(): Promise<void>;
}

/**
 * `gitgate serve --dir`: the resources of a directory, linted and compiled, enforced by a
 * gateway, with an admin listener for health, metrics, status and reloads. Refuses to start
 * when the directory has lint errors.
 */
export async function startServe(options: ServeOptions): Promise<StartResult> {
  const first = await readDirectorySnapshot(options.dir, options);
  const built = buildRevision(first.inputs, first.revision, { readProblems: first.problems });
  if (!built.ok) return { ok: false, diagnostics: built.diagnostics };

  const metrics: Metrics = createMetrics({ serviceName: 'gitgate', prometheus: true, ...(options.otlpUrl === undefined ? {} : { otlpUrl: options.otlpUrl }) });
  const telemetry = new RequestTelemetry(metrics.meter);
  let plane: DataPlane | undefined;
  let admin: Server | undefined;
  try {
    plane = await startDataPlane(options, telemetry);
    const dataPlane = plane;
    let applied: { revision: string; hash: string; at: string } | undefined;
    let lastAttempt: Attempt | undefined;
    const apply = async (revision: string, config: RuntimeConfig, diagnostics: readonly Diagnostic[]): Promise<Attempt> => {
      const at = new Date().toISOString();
      if (applied?.hash === config.hash) return (lastAttempt = { revision, at, result: 'unchanged', diagnostics });
      await dataPlane.apply(config);
      applied = { revision, hash: config.hash, at };
      options.logger.info('configuration applied', { revision, hash: config.hash });
      return (lastAttempt = { revision, at, result: 'applied', diagnostics });
    };
    await apply(first.revision, built.config, built.diagnostics);

    const reload = async (): Promise<Attempt> => {
      const snapshot = await readDirectorySnapshot(options.dir, options);
      const result = buildRevision(snapshot.inputs, snapshot.revision, { readProblems: snapshot.problems });
      if (result.ok) return apply(snapshot.revision, result.config, result.diagnostics);
      options.logger.warn('configuration rejected: it has lint errors; still serving the last good one', {
        revision: snapshot.revision,
        errors: result.summary.errors,
      });
      return (lastAttempt = { revision: snapshot.revision, at: new Date().toISOString(), result: 'rejected', diagnostics: result.diagnostics });
    };

    const adminToken = await loadAdminToken(options.dataDir, options.env);
    const status = () => ({ applied, lastAttempt });
    const prometheus = metrics.prometheusHandler!;
    admin = createAdminServer({
      token: adminToken.token,
      onError: (error) => options.logger.error('admin request failed', { error: String(error) }),
      routes: [
        { method: 'GET', path: '/healthz', open: true, handler: (_req, res) => sendJson(res, applied === undefined ? 503 : 200, { status: applied === undefined ? 'starting' : 'ok' }) },
        { method: 'GET', path: '/metrics', open: true, handler: (req, res) => prometheus(req, res) },
        { method: 'GET', path: '/api/v1/status', handler: (_req, res) => sendJson(res, 200, status()) },
        {
          method: 'POST',
          path: '/api/v1/reload',
          handler: async (_req, res) => {
            const attempt = await reload();
            sendJson(res, attempt.result === 'rejected' ? 422 : 200, attempt);
          },
        },
      ],
    });
    const adminServer = admin;
    const adminAddress = await listen(adminServer, options.adminListen);
    return {
      ok: true,
      serve: {
        gatewayAddress: dataPlane.address,
        adminAddress,
        adminToken,
        store: dataPlane.store,
        status,
        reload,
        close: async () => {
          await new Promise((resolve) => adminServer.close(resolve));
          adminServer.closeAllConnections();
          await dataPlane.close();
          await metrics.shutdown();
        },
      },
    };
  } catch (error) {
    admin?.close();
    await plane?.close().catch(() => undefined);
    await metrics.shutdown().catch(() => undefined);
    throw error;
  }
}

async function startDataPlane(options: ServeOptions, telemetry: RequestTelemetry): Promise<DataPlane> {
  const workers = options.workers ?? 1;
  if (workers <= 1) {
    const runtime = await startGatewayRuntime({
      dataDir: options.dataDir,
      listen: options.listen,
      serviceOverrides: options.serviceOverrides,
      logger: options.logger,
      recorder: telemetry,
      ...(options.accessLog === undefined ? {} : { accessLog: options.accessLog }),
      ...(options.upstream === undefined ? {} : { upstream: options.upstream }),
      ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
    });
    return { address: runtime.address, store: runtime.store, apply: async (config) => runtime.apply(config), close: () => runtime.close() };
  }
  const store = await openStore({ dataDir: options.dataDir });
  try {
    const pool = await startGatewayWorkers(
      workers,
      {
        dataDir: options.dataDir,
        host: options.listen.host,
        port: options.listen.port,
        serviceOverrides: [...options.serviceOverrides],
        accessLog: options.accessLog !== undefined,
        ...(options.upstream === undefined ? {} : { upstream: options.upstream as Record<string, number> }),
        ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
      },
      telemetry,
      options.logger,
    );
    return {
      address: pool.address,
      store,
      apply: (config) => pool.apply(config),
      close: async () => {
        await pool.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
