// The entry point of one gateway worker of `gitgate serve --workers N` (node:cluster).
import { ConfigAssembler } from '../policy/index.js';
import { createLogger } from '../telemetry/index.js';
import { startGatewayRuntime } from './gateway-runtime.js';
import { IpcRecorder, WORKER_SETTINGS_ENV, type FromWorker, type ToWorker, type WorkerSettings } from './worker-ipc.js';

const send = (message: FromWorker) => process.send?.(message);
const settings = JSON.parse(process.env[WORKER_SETTINGS_ENV] ?? '{}') as WorkerSettings;
const logger = createLogger(process.stderr, { component: `worker-${process.pid}` });
const recorder = new IpcRecorder(send);
// A worker that cannot start says why (an address in use...) and exits: the primary reports it.
const runtime = await startGatewayRuntime({
  dataDir: settings.dataDir,
  listen: { host: settings.host, port: settings.port },
  serviceOverrides: new Map(settings.serviceOverrides),
  logger,
  recorder,
  ...(settings.accessLog ? { accessLog: (line: string) => void process.stdout.write(line) } : {}),
  ...(settings.upstream === undefined ? {} : { upstream: settings.upstream }),
  ...(settings.maxBodyBytes === undefined ? {} : { maxBodyBytes: settings.maxBodyBytes }),
  ...(settings.portalOrigins === undefined ? {} : { portalOrigins: settings.portalOrigins }),
  ...(settings.redisUrl === undefined ? {} : { redisUrl: settings.redisUrl }),
}).catch((error: unknown): Promise<never> => {
  const failed: FromWorker = { type: 'failed', message: error instanceof Error ? error.message : String(error), code: (error as { code?: string }).code };
  // Exit once the message is on its way (an exit right after send() could drop it).
  if (process.send === undefined) process.exit(1);
  process.send(failed, undefined, {}, () => process.exit(1));
  return new Promise<never>(() => undefined);
});
const assembler = new ConfigAssembler();
// Configurations are applied one after the other, each compiled in slices between requests.
let applying: Promise<void> = Promise.resolve();
process.on('message', (message: ToWorker) => {
  if (message.type === 'config') {
    const config = assembler.add(message.chunk);
    if (config === undefined) return;
    applying = applying.then(async () => {
      for (const problem of await runtime.gateway.applyInSlices(config)) logger.warn(problem);
      send({ type: 'applied', hash: config.hash });
    });
  } else if (message.type === 'stop') {
    recorder.stop();
    void runtime.close().finally(() => process.exit(0));
  }
});
send({ type: 'ready', port: runtime.address.port });
// The primary lists workers with their config hash and last heartbeat, and heals drift.
setInterval(() => send({ type: 'heartbeat', hash: runtime.gateway.current?.hash ?? null }), 2000).unref();
