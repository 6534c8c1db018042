import { createGatewayServer, Gateway, listen, type Http1Server, RedisBucketStore, type AccessLogEntry, type ListenAddress, type RequestRecorder, type UpstreamOptions } from '../gateway/index.js';
import { createLastUsedRecorder, KeyIndex, startKeySync, type KeySync, type LastUsedRecorder } from '../identity/index.js';
import type { RuntimeConfig } from '../policy/index.js';
import { openStore, type Store } from '../store/index.js';
import type { Logger } from '../telemetry/index.js';
import { createUsageRecorder, type UsageRecorder } from './usage-recorder.js';

export interface GatewayRuntimeOptions {
  readonly dataDir: string;
  readonly listen: ListenAddress;
  readonly serviceOverrides: ReadonlyMap<string, string>;
  readonly logger: Logger;
  readonly recorder?: RequestRecorder;
  readonly accessLog?: (line: string) => void;
  readonly upstream?: Partial<UpstreamOptions>;
  readonly maxBodyBytes?: number;
  readonly portalOrigins?: readonly string[];
  /** Redis for `strategy: distributed` rate limits (`redis://` or `rediss://`). */
  readonly redisUrl?: string;
}

export interface GatewayRuntime {
  readonly address: ListenAddress;
  readonly gateway: Gateway;
  readonly store: Store;
  apply(config: RuntimeConfig): void;
  /** Reads key changes from the store now, not at the next interval. */
  refreshKeys(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One gateway process: its key index kept in sync with the store, its HTTP listener, and the
 * configuration it is given. `gitgate serve` runs one in-process, or one per worker.
 */
export async function startGatewayRuntime(options: GatewayRuntimeOptions): Promise<GatewayRuntime> {
  const store = await openStore({ dataDir: options.dataDir });
  let sync: KeySync | undefined;
  let lastUsed: LastUsedRecorder | undefined;
  let usage: UsageRecorder | undefined;
  let server: Http1Server | undefined;
  let sharedBuckets: RedisBucketStore | undefined;
  try {
    const keys = new KeyIndex();
    sync = await startKeySync(store.identity, keys, { onError: (error) => options.logger.error('key sync failed', { error: String(error) }) });
    lastUsed = createLastUsedRecorder(store.identity);
    usage = createUsageRecorder(store.usage);
    if (options.redisUrl !== undefined) sharedBuckets = await connectRedis(options.redisUrl, options.logger);
    const accessLog = options.accessLog;
    const gateway = new Gateway({
      keys,
      onKeyUsed: lastUsed.record,
      onUsage: usage.record,
      serviceOverrides: options.serviceOverrides,
      ...(options.portalOrigins === undefined ? {} : { portalOrigins: options.portalOrigins }),
      ...(sharedBuckets === undefined ? {} : { sharedBuckets }),
      ...(options.recorder === undefined ? {} : { telemetry: options.recorder }),
      ...(options.upstream === undefined ? {} : { upstream: options.upstream }),
      ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
      ...(accessLog === undefined ? {} : { accessLog: (entry: AccessLogEntry) => accessLog(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`) }),
    });
    server = createGatewayServer(gateway);
    const address = await listen(server, options.listen);
    const bound = server;
    const keySync = sync;
    return {
      refreshKeys: () => keySync.refresh(),
      address,
      gateway,
      store,
      apply: (config) => {
        for (const problem of gateway.apply(config)) options.logger.warn(problem);
      },
      close: async () => {
        sync?.stop();
        await new Promise((resolve) => bound.close(resolve));
        bound.closeAllConnections();
        await lastUsed?.stop();
        await usage?.stop();
        await gateway.close();
        await store.close();
      },
    };
  } catch (error) {
    sync?.stop();
    server?.close();
    await lastUsed?.stop().catch(() => undefined);
    await usage?.stop().catch(() => undefined);
    await sharedBuckets?.close();
    await store.close();
    throw error;
  }
}

/** The shared buckets; the gateway starts even when Redis does not answer yet (limits fall back per process). */
async function connectRedis(url: string, logger: Logger): Promise<RedisBucketStore> {
  const buckets = new RedisBucketStore({
    url,
    onStateChange: ({ reachable, error, fallbacks }) => {
      if (reachable) logger.info('redis answers again: distributed rate limits are shared', { fallbacks });
      else logger.warn('redis does not answer: distributed rate limits are counted per process until it does', { error, fallbacks });
    },
  });
  await buckets.ready();
  return buckets;
}
