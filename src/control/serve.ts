import { hostname } from 'node:os';
import path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { Diagnostic } from '../analyzer/index.js';
import { listen, RequestTelemetry, type ListenAddress, type UpstreamOptions } from '../gateway/index.js';
import type { RuntimeConfig } from '../policy/index.js';
import { openStore, type Store } from '../store/index.js';
import { createPortalServer } from '../portal/index.js';
import { createMetrics, type Logger, type Metrics } from '../telemetry/index.js';
import { adminApiRoutes } from './admin-api.js';
import { createAdminServer, sendJson } from './admin-server.js';
import { loadAdminToken } from './admin-token.js';
import { startGatewayRuntime } from './gateway-runtime.js';
import { startGatewayWorkers, type GatewayProcess } from './gateway-workers.js';
import { GitSource } from './git/git-source.js';
import { Reconciler, type Deployer, type ReconcilerStatus } from './reconciler.js';
import { directoryRevisionSource, gitRevisionSource } from './revision-source.js';
import { webhookHandler } from './webhook.js';

/** A git repository to follow (`serve --repo`). */
export interface RepoOptions {
  readonly url: string;
  readonly branch: string;
  /** Folder of the resources inside the repository. */
  readonly path?: string;
  /** Time between fetches. */
  readonly intervalMs: number;
  /** Serve this revision instead of following the branch. */
  readonly revision?: string;
  /** SSH allowed-signers file: refuse commits not signed by these keys. */
  readonly allowedSigners?: string;
}

export interface ServeOptions {
  /** Serve a directory (`--dir`)... */
  readonly dir?: string;
  /** ...or follow a git repository (`--repo`). */
  readonly repo?: RepoOptions;
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
  /** GITGATE_ADMIN_TOKEN, GITGATE_WEBHOOK_SECRET, GITGATE_GIT_TOKEN. */
  readonly env?: NodeJS.ProcessEnv;
  /** Connections and timeouts towards backends. */
  readonly upstream?: Partial<UpstreamOptions>;
  /** Largest request body forwarded (413 beyond). */
  readonly maxBodyBytes?: number;
  /** Gateway processes (node:cluster); 1 serves in this process. */
  readonly workers?: number;
  /** Redis shared by every gateway process for `strategy: distributed` rate limits. */
  readonly redisUrl?: string;
  readonly version?: string;
  /** The developer portal (off when undefined). */
  readonly portal?: PortalOptions;
}

export interface PortalOptions {
  readonly listen: ListenAddress;
  readonly signup: 'open' | 'invite';
  /** Where consumers reach the gateway; derived from the gateway's address when absent. */
  readonly gatewayUrl?: string;
  /** Where the portal is reached (its origin gets CORS on the gateway for the docs' try-it). */
  readonly publicUrl?: string;
  /** The built UI folder; the portal serves its API only without it. */
  readonly uiDir?: string;
}

export interface RunningServe {
  readonly gatewayAddress: ListenAddress;
  readonly adminAddress: ListenAddress;
  /** Undefined when the portal is off. */
  readonly portalAddress: ListenAddress | undefined;
  readonly adminToken: { readonly token: string; readonly created: boolean; readonly file: string | undefined };
  readonly store: Store;
  readonly reconciler: Reconciler;
  status(): ReconcilerStatus;
  close(): Promise<void>;
}

export type StartResult = { readonly ok: true; readonly serve: RunningServe } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** Where configurations go: a gateway in this process, or N workers. */
interface DataPlane extends Deployer {
  readonly address: ListenAddress;
  readonly store: Store;
  /** Makes a key change known to the gateway at once (workers read it within a quarter second). */
  refreshKeys(): Promise<void>;
  processes(): GatewayProcess[];
  close(): Promise<void>;
}

/**
 * `gitgate serve`: follow a git branch (or serve a directory), and enforce each good revision in
 * a gateway; an admin listener serves health, metrics, the webhook and the admin API. With
 * `--dir`, refuses to start when the directory has lint errors.
 */
export async function startServe(options: ServeOptions): Promise<StartResult> {
  const env = options.env ?? process.env;
  const telemetry = new RequestTelemetry();
  const metrics: Metrics = createMetrics({
    serviceName: 'gitgate',
    prometheus: true,
    producers: [telemetry.series],
    ...(options.otlpUrl === undefined ? {} : { otlpUrl: options.otlpUrl }),
  });
  let plane: DataPlane | undefined;
  let admin: Server | undefined;
  let portalServer: Server | undefined;
  let reconciler: Reconciler | undefined;
  try {
    // The portal's listener is bound first: its origin is trusted by the gateway for CORS.
    let portalAddress: ListenAddress | undefined;
    let latest: RuntimeConfig | undefined;
    const portal = options.portal;
    let portalOrigins: string[] = [];
    if (portal !== undefined) {
      portalServer = createServer();
      portalAddress = await listen(portalServer, portal.listen);
      portalOrigins = [...new Set([originOf(portalAddress), ...(portal.publicUrl === undefined ? [] : [new URL(portal.publicUrl).origin])])];
    }
    plane = await startDataPlane({ ...options, portalOrigins }, telemetry);
    const inner = plane;
    // The portal shows the configuration the gateway serves: it follows each apply.
    const tracked: DataPlane = { ...inner, apply: async (config) => { await inner.apply(config); latest = config; } };
    plane = tracked;
    const git =
      options.repo === undefined
        ? undefined
        : new GitSource({
            url: options.repo.url,
            branch: options.repo.branch,
            mirrorDir: path.join(options.dataDir, 'repo.git'),
            ...(options.repo.path === undefined ? {} : { path: options.repo.path }),
            ...(options.include === undefined ? {} : { include: options.include }),
            ...(options.exclude === undefined ? {} : { exclude: options.exclude }),
            ...(env.GITGATE_GIT_TOKEN === undefined ? {} : { token: env.GITGATE_GIT_TOKEN }),
            ...(options.repo.allowedSigners === undefined ? {} : { allowedSigners: options.repo.allowedSigners }),
          });
    const source = git !== undefined ? gitRevisionSource(git) : directoryRevisionSource(options.dir!, options);
    reconciler = new Reconciler({
      source,
      deployments: plane.store.deployments,
      deployer: tracked,
      logger: options.logger,
      // A directory is read again on SIGHUP and on POST /api/v1/reload, not on a timer.
      intervalMs: options.repo?.intervalMs ?? 2 ** 31 - 1,
      ...(options.repo?.revision === undefined ? {} : { pin: options.repo.revision }),
      configDir: path.join(options.dataDir, 'configs'),
      restoreLastGood: git !== undefined,
    });
    await reconciler.start();
    // A directory with lint errors is refused at start (a git source keeps running: its next
    // commit may fix it, and the status says what is wrong).
    const first = reconciler.status();
    if (options.dir !== undefined && first.applied === null) {
      reconciler.stop();
      await plane.close();
      await metrics.shutdown();
      portalServer?.close();
      return { ok: false, diagnostics: (first.lastAttempt?.diagnostics ?? []) as Diagnostic[] };
    }
    const running = reconciler;
    const dataPlane = plane;
    const adminToken = await loadAdminToken(options.dataDir, env);
    const prometheus = metrics.prometheusHandler!;
    admin = createAdminServer({
      token: adminToken.token,
      onError: (error) => options.logger.error('admin request failed', { error: String(error) }),
      routes: [
        {
          method: 'GET',
          path: '/healthz',
          open: true,
          handler: (_req, res) => {
            const applied = running.status().applied !== null;
            sendJson(res, applied ? 200 : 503, { status: applied ? 'ok' : 'no configuration yet' });
          },
        },
        { method: 'GET', path: '/metrics', open: true, handler: (req, res) => prometheus(req, res) },
        {
          method: 'POST',
          path: '/hooks/git',
          open: true,
          handler: webhookHandler(env.GITGATE_WEBHOOK_SECRET, () => void running.sync('webhook').catch(() => undefined)),
        },
        ...adminApiRoutes({
          reconciler: running,
          store: dataPlane.store,
          deployments: dataPlane.store.deployments,
          usage: dataPlane.store.usage,
          git,
          gateways: () => dataPlane.processes(),
          version: options.version ?? '0.0.0',
        }),
      ],
    });
    const adminServer = admin;
    const adminAddress = await listen(adminServer, options.adminListen);
    if (portal !== undefined && portalServer !== undefined) {
      const handler = createPortalServer({
        store: dataPlane.store,
        config: () => latest,
        gatewayUrl: portal.gatewayUrl ?? originOf(dataPlane.address),
        serviceOverrides: options.serviceOverrides,
        signup: portal.signup,
        ...(portal.uiDir === undefined ? {} : { uiDir: portal.uiDir }),
        ...(portal.publicUrl === undefined ? {} : { secure: portal.publicUrl.startsWith('https:'), trustedOrigins: [new URL(portal.publicUrl).origin] }),
        onKeysChanged: () => dataPlane.refreshKeys(),
        logger: options.logger,
      });
      portalServer.on('request', (req, res) => handler.emit('request', req, res));
    }
    const portalListener = portalServer;
    return {
      ok: true,
      serve: {
        gatewayAddress: dataPlane.address,
        adminAddress,
        portalAddress,
        adminToken,
        store: dataPlane.store,
        reconciler: running,
        status: () => running.status(),
        close: async () => {
          running.stop();
          await new Promise((resolve) => adminServer.close(resolve));
          adminServer.closeAllConnections();
          if (portalListener !== undefined) {
            await new Promise((resolve) => portalListener.close(resolve));
            portalListener.closeAllConnections();
          }
          await dataPlane.close();
          await metrics.shutdown();
        },
      },
    };
  } catch (error) {
    reconciler?.stop();
    admin?.close();
    portalServer?.close();
    await plane?.close().catch(() => undefined);
    await metrics.shutdown().catch(() => undefined);
    throw error;
  }
}

/** `http://host:port` of a bound address (all interfaces are reached through the loopback). */
function originOf(address: ListenAddress): string {
  const host = address.host === '0.0.0.0' || address.host === '::' ? '127.0.0.1' : address.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

async function startDataPlane(options: ServeOptions & { portalOrigins: readonly string[] }, telemetry: RequestTelemetry): Promise<DataPlane> {
  const workers = options.workers ?? 1;
  if (workers <= 1) {
    const runtime = await startGatewayRuntime({
      dataDir: options.dataDir,
      listen: options.listen,
      serviceOverrides: options.serviceOverrides,
      logger: options.logger,
      recorder: telemetry,
      portalOrigins: options.portalOrigins,
      ...(options.accessLog === undefined ? {} : { accessLog: options.accessLog }),
      ...(options.upstream === undefined ? {} : { upstream: options.upstream }),
      ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
      ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
    });
    let appliedAt = '';
    return {
      address: runtime.address,
      store: runtime.store,
      apply: async (config: RuntimeConfig) => {
        for (const problem of await runtime.gateway.applyInSlices(config)) options.logger.warn(problem);
        appliedAt = new Date().toISOString();
      },
      runningHashes: () => [runtime.gateway.current?.hash],
      refreshKeys: () => runtime.refreshKeys(),
      // In-process, the gateway's heartbeat is the control plane's own clock.
      processes: () => [{ id: `${hostname()}:${process.pid}`, pid: process.pid, configHash: runtime.gateway.current?.hash ?? null, lastHeartbeat: appliedAt === '' ? '' : new Date().toISOString() }],
      close: () => runtime.close(),
    };
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
        portalOrigins: [...options.portalOrigins],
        ...(options.upstream === undefined ? {} : { upstream: options.upstream as Record<string, number> }),
        ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
        ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
      },
      telemetry,
      options.logger,
    );
    return {
      address: pool.address,
      store,
      apply: (config) => {
        if (options.redisUrl === undefined) warnUnsharedLimits(config, workers, options.logger);
        return pool.apply(config);
      },
      runningHashes: () => pool.processes().map((p) => p.configHash ?? undefined),
      refreshKeys: async () => undefined,
      processes: () => pool.processes(),
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

/** Said once per configuration: with several workers and no Redis, `distributed` is per worker. */
function warnUnsharedLimits(config: RuntimeConfig, workers: number, logger: Logger): void {
  const names = new Set<string>();
  for (const api of Object.values(config.apis)) {
    for (const limit of [...Object.values(api.rateLimits.groups), api.rateLimits.anyGroups]) {
      if (limit?.strategy === 'distributed') names.add(limit.name);
    }
  }
  if (names.size > 0) logger.warn(`rate limits with strategy distributed are counted by each of the ${workers} workers on its own: give --redis-url to share them`, { rateLimits: [...names].sort() });
}
