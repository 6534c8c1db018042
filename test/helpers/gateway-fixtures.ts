// Shared parts of the gateway end-to-end tests (test/e2e/gateway-*.test.ts): temporary folders,
// real upstream HTTP servers on port 0, YAML resource builders, the real CLI as a child process,
// and the gateway started in-process (startServe) or through `gitgate serve`. Traffic only ever
// goes to 127.0.0.1.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import { startServe, type RunningServe, type ServeOptions } from '../../src/control/index.js';
import { silentLogger } from '../../src/telemetry/index.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = path.join(ROOT, 'bin/gitgate');
const CLI_MAIN = path.join(ROOT, 'dist/src/cli/main.js');
export const NS = 'apps';

// ---------------------------------------------------------------------------------------------
// Clean-up: everything a test file starts registers here; `cleanup()` in afterAll undoes it.

const closers: (() => Promise<unknown> | unknown)[] = [];

/** Registers something to undo at the end of the file (last registered, first undone). */
export function defer(close: () => Promise<unknown> | unknown): void {
  closers.push(close);
}

export async function cleanup(): Promise<void> {
  while (closers.length > 0) {
    const close = closers.pop()!;
    try {
      await close();
    } catch {
      // Best effort: one failed close must not keep the others from running.
    }
  }
}

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `gitgate-${prefix}-`));
  defer(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Upstreams.

/** What an echo upstream answers: the request as it reached the backend. */
export interface Echo {
  readonly upstream: string;
  readonly method: string;
  /** The request target as received (path and query). */
  readonly url: string;
  readonly path: string;
  readonly query: Record<string, string | string[]>;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Upstream {
  readonly name: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request received, in order. */
  readonly seen: Echo[];
  hits(): number;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1:0 that answers every request with 200 and the request as JSON.
 * It also sends `X-Upstream: <name>`, `X-Powered-By: echo` and `X-Remove-Me: yes`, so tests can
 * see which backend answered and whether response headers were set or deleted. With `delayMs`,
 * it answers that long after reading the request.
 */
export async function startEchoUpstream(name: string, options: { delayMs?: number } = {}): Promise<Upstream> {
  const seen: Echo[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      if (options.delayMs !== undefined) await sleep(options.delayMs);
      const url = req.url ?? '';
      const question = url.indexOf('?');
      const query: Record<string, string | string[]> = {};
      if (question !== -1) {
        for (const [key, value] of new URLSearchParams(url.slice(question + 1))) {
          const previous = query[key];
          query[key] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
        }
      }
      const echo: Echo = {
        upstream: name,
        method: req.method ?? '',
        url,
        path: question === -1 ? url : url.slice(0, question),
        query,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(echo);
      const body = JSON.stringify(echo);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'x-upstream': name,
        'x-powered-by': 'echo',
        'x-remove-me': 'yes',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  const port = await listenOnLoopback(server);
  const upstream: Upstream = {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    seen,
    hits: () => seen.length,
    close: () => closeServer(server),
  };
  defer(upstream.close);
  return upstream;
}

/** A TCP server that accepts connections and never answers: a hanging backend. */
export async function startHangingUpstream(): Promise<{ port: number; connections(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createNetServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.resume(); // read the request, answer nothing
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  const close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  defer(close);
  return { port, connections: () => count, close };
}

/** A loopback port nothing listens on (bound, then released): connecting to it is refused. */
export async function refusedPort(): Promise<number> {
  const server = createNetServer();
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  await new Promise((resolve) => {
    server.close(resolve);
    server.closeAllConnections();
  });
}

// ---------------------------------------------------------------------------------------------
// YAML resources.

export type Doc = Record<string, unknown>;
const HUB = 'hub.traefik.io/v1alpha1';

export interface HeadersSpec {
  readonly request?: { readonly set?: Record<string, string>; readonly delete?: readonly string[] };
  readonly response?: { readonly set?: Record<string, string>; readonly delete?: readonly string[] };
}

export interface OperationSet {
  readonly name: string;
  readonly matchers: readonly { path?: string; pathPrefix?: string; pathRegex?: string; methods?: readonly string[] }[];
}

/** Service port 80 of `name`, plus its address when the service is not a plain Service. */
function serviceRef(name: string, port: number, operationSets?: readonly OperationSet[]): Doc {
  return {
    name,
    port: { number: port },
    ...(operationSets === undefined ? {} : { openApiSpec: { path: '/openapi.yaml', operationSets } }),
  };
}

export const yaml = {
  /**
   * A Service (port 80) with one EndpointSlice per upstream port, all at 127.0.0.1: the gateway
   * balances across them.
   */
  backend(name: string, ports: readonly number[], namespace = NS): Doc[] {
    return [
      { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports: [{ port: 80 }] } },
      ...ports.map((port, index) => ({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `${name}-${index}`, namespace, labels: { 'kubernetes.io/service-name': name } },
        addressType: 'IPv4',
        ports: [{ port }],
        endpoints: [{ addresses: ['127.0.0.1'] }],
      })),
    ];
  },

  /** A Service (port 80) with no EndpointSlice: resolved by cluster DNS, or by an override. */
  bareService(name: string, namespace = NS): Doc {
    return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports: [{ port: 80 }] } };
  },

  externalName(name: string, host: string, port: number, namespace = NS): Doc {
    return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { type: 'ExternalName', externalName: host, ports: [{ port }] } };
  },

  api(options: {
    name: string;
    pathPrefix: string;
    service?: string;
    servicePort?: number;
    currentVersion?: string;
    labels?: Record<string, string>;
    headers?: HeadersSpec;
    cors?: Doc;
    operationSets?: readonly OperationSet[];
    namespace?: string;
  }): Doc {
    const spec: Doc = { pathPrefix: options.pathPrefix };
    if (options.currentVersion !== undefined) spec.currentVersion = options.currentVersion;
    else spec.service = serviceRef(options.service ?? options.name, options.servicePort ?? 80, options.operationSets);
    if (options.headers !== undefined) spec.headers = options.headers;
    if (options.cors !== undefined) spec.cors = options.cors;
    return {
      apiVersion: HUB,
      kind: 'API',
      metadata: { name: options.name, namespace: options.namespace ?? NS, ...(options.labels === undefined ? {} : { labels: options.labels }) },
      spec,
    };
  },

  version(options: {
    name: string;
    api: string;
    service: string;
    routes?: readonly { pathPrefix?: string; headers?: Record<string, string>; queryParams?: Record<string, string> }[];
    stripPathPrefix?: boolean;
    headers?: HeadersSpec;
    cors?: Doc;
    namespace?: string;
  }): Doc {
    const spec: Doc = { apiName: options.api, service: serviceRef(options.service, 80) };
    if (options.routes !== undefined) spec.routes = options.routes;
    if (options.stripPathPrefix !== undefined) spec.stripPathPrefix = options.stripPathPrefix;
    if (options.headers !== undefined) spec.headers = options.headers;
    if (options.cors !== undefined) spec.cors = options.cors;
    return { apiVersion: HUB, kind: 'APIVersion', metadata: { name: options.name, namespace: options.namespace ?? NS }, spec };
  },

  collection(options: { name: string; pathPrefix?: string; selector?: Record<string, string>; apis?: readonly string[]; labels?: Record<string, string> }): Doc {
    const spec: Doc = {};
    if (options.pathPrefix !== undefined) spec.pathPrefix = options.pathPrefix;
    if (options.selector !== undefined) spec.apiSelector = { matchLabels: options.selector };
    if (options.apis !== undefined) spec.apis = options.apis.map((name) => ({ name, namespace: NS }));
    return { apiVersion: HUB, kind: 'APICollection', metadata: { name: options.name, ...(options.labels === undefined ? {} : { labels: options.labels }) }, spec };
  },

  /** An APIAccess: `groups` or (when omitted) `anyGroups: true`; APIs by name, or every API. */
  access(options: { name: string; groups?: readonly string[]; apis?: readonly string[]; allApis?: boolean; collections?: readonly string[]; include?: readonly string[] }): Doc {
    const spec: Doc = options.groups === undefined ? { anyGroups: true } : { groups: options.groups };
    if (options.allApis === true) spec.apiSelector = {};
    if (options.apis !== undefined) spec.apis = options.apis.map((name) => ({ name, namespace: NS }));
    if (options.collections !== undefined) spec.apiCollections = options.collections.map((name) => ({ name }));
    if (options.include !== undefined) spec.operationFilter = { include: options.include };
    return { apiVersion: HUB, kind: 'APIAccess', metadata: { name: options.name }, spec };
  },

  gateway(name: string, accesses: readonly string[], customDomains?: readonly string[]): Doc {
    return { apiVersion: HUB, kind: 'APIGateway', metadata: { name }, spec: { apiAccesses: accesses, ...(customDomains === undefined ? {} : { customDomains }) } };
  },

  /** An APIRateLimit: `groups` or (when omitted) `anyGroups: true`. */
  rateLimit(options: { name: string; limit: number; period: string; groups?: readonly string[]; apis: readonly string[]; strategy?: 'local' | 'distributed' }): Doc {
    return {
      apiVersion: HUB,
      kind: 'APIRateLimit',
      metadata: { name: options.name },
      spec: {
        limit: options.limit,
        period: options.period,
        ...(options.strategy === undefined ? {} : { strategy: options.strategy }),
        ...(options.groups === undefined ? { anyGroups: true } : { groups: options.groups }),
        apis: options.apis.map((name) => ({ name, namespace: NS })),
      },
    };
  },
};

export function toYaml(docs: readonly Doc[]): string {
  return docs.map((doc) => stringify(doc)).join('---\n');
}

/**
 * Replaces the resources of `dir` with `docs`, in one file written aside and renamed into place,
 * so a reload never reads half a file.
 */
export async function writeResources(dir: string, docs: readonly Doc[] | string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(dir)) if (entry.endsWith('.yaml')) await rm(path.join(dir, entry));
  const staging = path.join(path.dirname(dir), `.${path.basename(dir)}-staging.yaml.tmp`);
  await writeFile(staging, typeof docs === 'string' ? docs : toYaml(docs));
  await rename(staging, path.join(dir, 'resources.yaml'));
}

// ---------------------------------------------------------------------------------------------
// The CLI.

let built: Promise<void> | undefined;

/**
 * Builds dist/ when it is missing (`npm test` builds first through scripts/ensure-built.sh;
 * rebuilding here on every change to src/ would cost each run a compile). Test files run in
 * parallel: a lock folder keeps them from compiling at the same time.
 */
export function ensureBuilt(): Promise<void> {
  built ??= (async () => {
    if (existsSync(CLI_MAIN)) return;
    const lock = path.join(os.tmpdir(), `gitgate-e2e-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`);
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        await mkdir(lock);
        break;
      } catch {
        if (existsSync(CLI_MAIN)) return;
        if (Date.now() > deadline) throw new Error(`could not take ${lock}: remove it if no test is running`);
        await sleep(200);
      }
    }
    try {
      if (existsSync(CLI_MAIN)) return;
      const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
      if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
      await writeFile(path.join(ROOT, 'dist/.built'), '');
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  })();
  return built;
}

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_OPTIONS; // vitest's loaders must not leak into the CLI under test
  return env;
}

/** Runs `node bin/gitgate ...args` to completion. */
export async function runCli(args: readonly string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  await ensureBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs the CLI and fails loudly unless it exits 0. */
export async function cli(args: readonly string[]): Promise<CliRun> {
  const run = await runCli(args);
  if (run.code !== 0) throw new Error(`gitgate ${args.join(' ')} exited ${run.code}:\n${run.stdout}${run.stderr}`);
  return run;
}

export interface ConsumerKey {
  readonly email: string;
  readonly keyName: string;
  readonly groups: readonly string[];
  readonly key: string;
}

/** `gitgate users add` then `gitgate keys create`, through the real CLI: returns the key it printed. */
export async function createConsumer(dataDir: string, email: string, groups: readonly string[], keyName = 'main'): Promise<ConsumerKey> {
  await cli(['users', 'add', '--email', email, '--groups', groups.join(','), '--data-dir', dataDir]);
  return { email, keyName, groups, key: await createKey(dataDir, email, keyName) };
}

export async function createKey(dataDir: string, email: string, keyName: string): Promise<string> {
  const run = await cli(['keys', 'create', '--email', email, '--name', keyName, '--data-dir', dataDir]);
  const key = run.stdout.trim();
  if (!/^gg_[0-9A-Za-z]+$/.test(key)) throw new Error(`keys create printed ${JSON.stringify(run.stdout)}`);
  return key;
}

/**
 * Several consumers at once. Concurrent CLI writers sometimes fail with "database is locked"
 * (a store bug, pinned by the concurrency test in gateway-keys.test.ts); set-up retries those
 * runs so the other tests do not depend on that fix.
 */
export async function createConsumers<T extends string>(dataDir: string, specs: Readonly<Record<T, readonly string[]>>): Promise<Record<T, ConsumerKey>> {
  // The first run creates the database and runs its migrations alone.
  await cli(['users', 'list', '--data-dir', dataDir]);
  const entries = await Promise.all(
    (Object.entries(specs) as [T, readonly string[]][]).map(async ([name, groups]) => {
      const email = `${name}@example.com`;
      await retryLocked(['users', 'add', '--email', email, '--groups', groups.join(','), '--data-dir', dataDir]);
      const run = await retryLocked(['keys', 'create', '--email', email, '--name', 'main', '--data-dir', dataDir]);
      return [name, { email, keyName: 'main', groups, key: run.stdout.trim() }] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<T, ConsumerKey>;
}

async function retryLocked(args: readonly string[]): Promise<CliRun> {
  for (let attempt = 1; ; attempt++) {
    const run = await runCli(args);
    if (run.code === 0) return run;
    if (attempt === 5 || !run.stderr.includes('database is locked')) throw new Error(`gitgate ${args.join(' ')} exited ${run.code}:\n${run.stdout}${run.stderr}`);
    await sleep(50 * attempt);
  }
}

// ---------------------------------------------------------------------------------------------
// The gateway.

export interface Address {
  readonly host: string;
  readonly port: number;
}

export interface InProcessGateway {
  readonly serve: RunningServe;
  readonly gateway: Address;
  readonly admin: Address;
  readonly adminToken: string;
}

/** `startServe` in this process, listening on 127.0.0.1:0 (gateway and admin). */
export async function startGateway(options: { dir: string; dataDir: string } & Partial<Omit<ServeOptions, 'dir' | 'dataDir'>>): Promise<InProcessGateway> {
  const started = await startServe({
    listen: { host: '127.0.0.1', port: 0 },
    adminListen: { host: '127.0.0.1', port: 0 },
    serviceOverrides: new Map(),
    logger: silentLogger,
    env: {},
    ...options,
  });
  if (!started.ok) throw new Error(`startServe refused the directory:\n${started.diagnostics.map((d) => JSON.stringify(d)).join('\n')}`);
  const { serve } = started;
  defer(() => serve.close());
  return { serve, gateway: serve.gatewayAddress, admin: serve.adminAddress, adminToken: serve.adminToken.token };
}

export interface CliGateway {
  readonly child: ChildProcess;
  readonly gateway: Address;
  readonly admin: Address;
  /** Standard error so far. */
  stderr(): string;
  stop(): Promise<number | null>;
}

/**
 * `node bin/gitgate serve --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 ...` as a child
 * process; resolves once it printed both addresses on standard error.
 */
export async function startCliGateway(args: readonly string[], env: Record<string, string> = {}): Promise<CliGateway> {
  await ensureBuilt();
  const child = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--portal-listen', '127.0.0.1:0', ...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  defer(stop);
  child.stdout.resume();
  const addresses = await new Promise<{ gateway: Address; admin: Address }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gitgate serve printed no addresses in 15 s:\n${stderr}`)), 15_000);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const gateway = /^\s*gateway\s+http:\/\/([^\s:]+):(\d+)/m.exec(stderr);
      const admin = /^\s*admin\s+http:\/\/([^\s:]+):(\d+)/m.exec(stderr);
      if (gateway !== null && admin !== null) {
        clearTimeout(timer);
        resolve({ gateway: { host: gateway[1]!, port: Number(gateway[2]) }, admin: { host: admin[1]!, port: Number(admin[2]) } });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gitgate serve exited ${code} before listening:\n${stderr}`));
    });
  });
  return { child, ...addresses, stderr: () => stderr, stop };
}

// ---------------------------------------------------------------------------------------------
// A client: node:http, so Host and every other header go out exactly as written.

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

export interface Send {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string | readonly string[]>;
  readonly key?: string;
  readonly body?: string;
  readonly agent?: Agent | false;
  readonly timeoutMs?: number;
  /** The loopback address the request leaves from (127.0.0.2... for a second client). */
  readonly localAddress?: string;
}

/** Sends one request to 127.0.0.1:<port> and reads the whole answer. */
export function send(to: Address, options: Send): Promise<Answer> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name] = typeof value === 'string' ? value : [...value];
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: to.port, method: options.method ?? 'GET', path: options.path, headers, agent: options.agent ?? false, ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }) },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error(`no answer to ${options.method ?? 'GET'} ${options.path} in time`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The echo of the backend that answered, or a failure naming what came back instead. */
export function echoOf(answer: Answer): Echo {
  const echo = answer.json as Echo | undefined;
  if (answer.status !== 200 || echo === undefined || typeof echo.upstream !== 'string') {
    throw new Error(`expected a proxied 200 answer, got ${answer.status} ${answer.text}`);
  }
  return echo;
}

/** `{ "error": { "code", "message" } }` with exactly those two fields (message non-empty): for toEqual(). */
export function errorBody(code: string): unknown {
  return { error: { code, message: expect.stringMatching(/\S/) } };
}

/** The admin API: `Authorization: Bearer <admin token>`. */
export function admin(to: Address, token: string, method: string, apiPath: string): Promise<Answer> {
  return send(to, { method, path: apiPath, headers: { authorization: `Bearer ${token}` } });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Prometheus text: the samples of one metric, with their labels parsed. */
export function samples(text: string, metric: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    const match = /^[^{\s]+(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[1] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, '$1');
    out.push({ labels, value: Number(match[2]) });
  }
  return out;
}
