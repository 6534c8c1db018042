import type { Server } from 'node:http';
import type { Diagnostic } from '../analyzer/index.js';
import { createGatewayServer, Gateway, listen, RequestTelemetry, type AccessLogEntry, type ListenAddress, type UpstreamOptions } from '../gateway/index.js';
import { createLastUsedRecorder, KeyIndex, startKeySync, type KeySync, type LastUsedRecorder } from '../identity/index.js';
import { openStore, type Store } from '../store/index.js';
import { createMetrics, type Logger, type Metrics } from '../telemetry/index.js';
import { createAdminServer, sendJson } from './admin-server.js';
import { loadAdminToken } from './admin-token.js';
import { readDirectorySnapshot } from './directory-source.js';
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

/**
 * `gitgate serve --dir`: the resources of a directory, linted and compiled, enforced by a
 * gateway, with an admin listener for health, metrics, status and reloads. Refuses to start
 * when the directory has lint errors.
 */
export async function startServe(options: ServeOptions): Promise<StartResult> {
  const first = await readDirectorySnapshot(options.dir, options);
  const built = buildRevision(first.inputs, first.revision, { readProblems: first.problems });
  if (!built.ok) return { ok: false, diagnostics: built.diagnostics };

  const store = await openStore({ dataDir: options.dataDir });
  const keys = new KeyIndex();
  let sync: KeySync | undefined;
  let recorder: LastUsedRecorder | undefined;
  let metrics: Metrics | undefined;
  const servers: Server[] = [];
  try {
    sync = await startKeySync(store.identity, keys, { onError: (error) => options.logger.error('key sync failed', { error: String(error) }) });
    recorder = createLastUsedRecorder(store.identity);
    metrics = createMetrics({ serviceName: 'gitgate', prometheus: true, ...(options.otlpUrl === undefined ? {} : { otlpUrl: options.otlpUrl }) });
    const accessLog = options.accessLog;
    const gateway = new Gateway({
      keys,
      telemetry: new RequestTelemetry(metrics.meter),
      onKeyUsed: recorder.record,
      serviceOverrides: options.serviceOverrides,
      ...(options.upstream === undefined ? {} : { upstream: options.upstream }),
      ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
      ...(accessLog === undefined ? {} : { accessLog: (entry: AccessLogEntry) => accessLog(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`) }),
    });
    let applied: { revision: string; hash: string; at: string } | undefined;
    let lastAttempt: Attempt | undefined;
    const apply = (revision: string, config: Parameters<Gateway['apply']>[0], diagnostics: readonly Diagnostic[]): Attempt => {
      const at = new Date().toISOString();
      if (applied?.hash === config.hash) return (lastAttempt = { revision, at, result: 'unchanged', diagnostics });
      for (const problem of gateway.apply(config)) options.logger.warn(problem);
      applied = { revision, hash: config.hash, at };
      options.logger.info('configuration applied', { revision, hash: config.hash });
      return (lastAttempt = { revision, at, result: 'applied', diagnostics });
    };
    apply(first.revision, built.config, built.diagnostics);

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
    const admin = createAdminServer({
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
    const gatewayServer = createGatewayServer(gateway);
    servers.push(gatewayServer, admin);
    const gatewayAddress = await listen(gatewayServer, options.listen);
    const adminAddress = await listen(admin, options.adminListen);
    const running: RunningServe = {
      gatewayAddress,
      adminAddress,
      adminToken,
      store,
      status,
      reload,
      close: async () => {
        sync?.stop();
        await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
        for (const server of servers) server.closeAllConnections();
        await recorder?.stop();
        await gateway.close();
        await metrics?.shutdown();
        await store.close();
      },
    };
    return { ok: true, serve: running };
  } catch (error) {
    sync?.stop();
    for (const server of servers) server.close();
    await recorder?.stop().catch(() => undefined);
    await metrics?.shutdown().catch(() => undefined);
    await store.close();
    throw error;
  }
}
