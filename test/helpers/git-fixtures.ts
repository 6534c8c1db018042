// Shared parts of the control-plane end-to-end tests (test/e2e/control-*.test.ts): a real bare
// "remote" repository and a working clone in temporary folders, commits made and pushed with the
// system git, resource files built from real upstreams, a consumer key written to the store, and
// the control plane started in-process (startServe) on a git source. Everything runs on 127.0.0.1.
import { execFile } from 'node:child_process';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { IdentityService } from '../../src/identity/index.js';
import { openStore } from '../../src/store/index.js';
import { startServe, type RepoOptions, type RunningServe, type ServeOptions } from '../../src/control/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { defer, send, sleep, tempDir, toYaml, yaml, type Address, type Answer, type Doc, type Upstream } from './gateway-fixtures.js';

export const ADMIN_TOKEN = 'gga_control-e2e-admin-token';
export const WEBHOOK_SECRET = 'control-e2e-webhook-secret';

/** A commit identity for every test commit; no user or system signing setting leaks in. */
const IDENTITY = ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false'];

export interface GitRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the system git (asynchronously: an in-process gateway keeps serving meanwhile). */
export function gitRun(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<GitRun> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
    });
  });
}

/** Runs git and returns its trimmed standard output; fails loudly on a non-zero exit. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const run = await gitRun(cwd, args);
  if (run.code !== 0) throw new Error(`git ${args.join(' ')} (in ${cwd}) exited ${run.code}:\n${run.stderr}`);
  return run.stdout.trim();
}

/** Whether the repository at `gitDir` holds the commit `sha` (`git cat-file -e`). */
export async function hasCommit(gitDir: string, sha: string): Promise<boolean> {
  return (await gitRun(gitDir, ['cat-file', '-e', `${sha}^{commit}`])).code === 0;
}

export interface CommitOptions {
  readonly message?: string;
  /** Sign with this SSH private key (`gpg.format=ssh`). */
  readonly signingKey?: string;
  /** Delete these paths (relative to the clone) before committing. */
  readonly remove?: readonly string[];
}

/**
 * A bare repository (`remote.git`, branch main) and a working clone of it (`work`), in one
 * temporary folder removed at the end of the file.
 */
export class Remote {
  readonly root: string;
  /** The bare repository: what `serve --repo` follows. */
  readonly bare: string;
  /** A working clone with `origin` pointing at the bare repository. */
  readonly work: string;
  #hidden: string | undefined;

  private constructor(root: string) {
    this.root = root;
    this.bare = path.join(root, 'remote.git');
    this.work = path.join(root, 'work');
  }

  static async create(prefix: string): Promise<Remote> {
    const remote = new Remote(await tempDir(prefix));
    await git(remote.root, 'init', '--quiet', '--bare', '--initial-branch=main', remote.bare);
    await git(remote.root, 'clone', '--quiet', remote.bare, remote.work);
    await git(remote.work, 'checkout', '--quiet', '-B', 'main');
    defer(() => remote.restore());
    return remote;
  }

  /** Writes `files` (path → text) into the clone, commits everything and returns the commit. */
  async commit(files: Readonly<Record<string, string>>, options: CommitOptions = {}): Promise<string> {
    for (const file of options.remove ?? []) await rm(path.join(this.work, file), { recursive: true, force: true });
    for (const [file, text] of Object.entries(files)) {
      const full = path.join(this.work, file);
      await mkdir(path.dirname(full), { recursive: true });
      await writeFile(full, text);
    }
    await git(this.work, 'add', '--all');
    const sign = options.signingKey === undefined ? [] : ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${options.signingKey}`];
    await git(this.work, ...IDENTITY, ...sign, 'commit', '--quiet', '--allow-empty', ...(options.signingKey === undefined ? [] : ['-S']), '-m', options.message ?? 'change');
    return git(this.work, 'rev-parse', 'HEAD');
  }

  async push(): Promise<void> {
    await git(this.work, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
  }

  /** Commits and pushes; returns the commit. */
  async publish(files: Readonly<Record<string, string>>, options: CommitOptions = {}): Promise<string> {
    const sha = await this.commit(files, options);
    await this.push();
    return sha;
  }

  /** The head of main in the bare repository. */
  head(): Promise<string> {
    return git(this.bare, 'rev-parse', 'refs/heads/main');
  }

  /** Pulls what others (gitgate rollback, the admin API) pushed into the clone. */
  async pull(): Promise<void> {
    await git(this.work, 'pull', '--quiet', '--ff-only', 'origin', 'main');
  }

  /** Moves the bare repository away: fetches fail as they would with a remote that is down. */
  async hide(): Promise<void> {
    if (this.#hidden !== undefined) return;
    this.#hidden = `${this.bare}.away`;
    await rename(this.bare, this.#hidden);
  }

  async restore(): Promise<void> {
    if (this.#hidden === undefined) return;
    await rename(this.#hidden, this.bare);
    this.#hidden = undefined;
  }

  /**
   * Refuses every push (a pre-receive hook that exits 1, as a protected branch does). chmod
   * would not do: the tests may run as root, who writes anywhere.
   */
  async refusePushes(): Promise<void> {
    const hook = path.join(this.bare, 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\necho "main is protected: pushes are refused" >&2\nexit 1\n');
    await chmod(hook, 0o755);
  }

  async acceptPushes(): Promise<void> {
    await rm(path.join(this.bare, 'hooks', 'pre-receive'), { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Resources.

/**
 * One revision's resources: each path prefix routed to an upstream (one Service and
 * EndpointSlice per route), every API open to any consumer with a key, one gateway. `extra`
 * resources are added, and `accesses` join the gateway.
 */
export function site(routes: Readonly<Record<string, Upstream>>, options: { marker?: string; extra?: readonly Doc[]; accesses?: readonly string[] } = {}): string {
  const docs: Doc[] = [];
  const names: string[] = [];
  for (const [prefix, upstream] of Object.entries(routes)) {
    const name = prefix.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'root';
    names.push(name);
    docs.push(
      ...yaml.backend(`svc-${name}`, [upstream.port]),
      yaml.api({ name, pathPrefix: prefix, service: `svc-${name}`, ...(options.marker === undefined ? {} : { headers: { request: { set: { 'X-Revision-Marker': options.marker } } } }) }),
    );
  }
  docs.push(...(options.extra ?? []), yaml.access({ name: 'everyone', apis: names }), yaml.gateway('main', ['everyone', ...(options.accesses ?? [])]));
  return toYaml(docs);
}

/**
 * A file with one lint error: an API whose Service does not exist (rule `reference`). `line` is
 * the line of `name: missing-service`, where the diagnostic points.
 */
export function brokenApi(name = 'broken'): { text: string; line: number } {
  const text = toYaml([yaml.api({ name, pathPrefix: `/${name}`, service: 'missing-service' })]);
  const line = text.split('\n').findIndex((l) => l.trim() === 'name: missing-service') + 1;
  return { text, line };
}

// ---------------------------------------------------------------------------------------------
// Consumers and the control plane.

/** Writes a user and a key into the data directory's store before anything serves it. */
export async function seedKey(dataDir: string, email = 'tester@example.com'): Promise<string> {
  const store = await openStore({ dataDir });
  try {
    const identity = new IdentityService(store.identity);
    if ((await identity.findUser(email)) === undefined) {
      const added = await identity.addUser(email, ['testers']);
      if (!added.ok) throw new Error(`addUser: ${JSON.stringify(added)}`);
    }
    const key = await identity.createKey(email, `k${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`);
    if (!key.ok) throw new Error(`createKey: ${JSON.stringify(key)}`);
    return key.value;
  } finally {
    await store.close();
  }
}

export interface ControlPlane {
  readonly serve: RunningServe;
  readonly gateway: Address;
  readonly admin: Address;
  /** Stops it (idempotent; also done at the end of the file). */
  close(): Promise<void>;
}

/** `startServe` following `repo` (a path or URL) on 127.0.0.1:0, with the test admin token and webhook secret. */
export async function startControl(options: {
  url: string;
  dataDir: string;
  intervalMs: number;
  branch?: string;
  repo?: Partial<RepoOptions>;
  serve?: Partial<ServeOptions>;
  env?: NodeJS.ProcessEnv;
}): Promise<ControlPlane> {
  const started = await startServe({
    repo: { url: options.url, branch: options.branch ?? 'main', intervalMs: options.intervalMs, ...options.repo },
    listen: { host: '127.0.0.1', port: 0 },
    adminListen: { host: '127.0.0.1', port: 0 },
    dataDir: options.dataDir,
    serviceOverrides: new Map(),
    logger: silentLogger,
    env: { GITGATE_ADMIN_TOKEN: ADMIN_TOKEN, GITGATE_WEBHOOK_SECRET: WEBHOOK_SECRET, ...options.env },
    version: '0.0.0-test',
    ...options.serve,
  });
  if (!started.ok) throw new Error(`startServe refused to start:\n${started.diagnostics.map((d) => JSON.stringify(d)).join('\n')}`);
  const { serve } = started;
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= serve.close());
  defer(close);
  return { serve, gateway: serve.gatewayAddress, admin: serve.adminAddress, close };
}

/** Calls the admin API with the test token; `body` is sent as JSON. */
export function api(to: Address, method: string, apiPath: string, body?: unknown): Promise<Answer> {
  return send(to, {
    method,
    path: apiPath,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Which upstream answered `path` (undefined when the gateway did not proxy it). */
export async function servedBy(gateway: Address, requestPath: string, key: string): Promise<string | undefined> {
  const answer = await send(gateway, { path: requestPath, key, timeoutMs: 5000 });
  if (answer.status !== 200) return undefined;
  return (answer.json as { upstream?: string } | undefined)?.upstream;
}

/**
 * Polls the gateway every 10 ms until `path` is answered by `upstream` (or, with `upstream`
 * null, until it is not proxied); returns the milliseconds it took, or throws after `timeoutMs`.
 */
export async function waitServed(gateway: Address, requestPath: string, key: string, upstream: string | null, timeoutMs: number): Promise<number> {
  const started = performance.now();
  let last: string | undefined;
  for (;;) {
    last = await servedBy(gateway, requestPath, key).catch(() => 'error');
    if (upstream === null ? last === undefined : last === upstream) return performance.now() - started;
    if (performance.now() - started > timeoutMs) {
      throw new Error(`${requestPath} was still served by ${last ?? 'nothing'} (wanted ${upstream ?? 'nothing'}) after ${timeoutMs} ms`);
    }
    await sleep(10);
  }
}

/** Polls until `check` returns something other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 25): Promise<T> {
  const started = performance.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export interface StatusBody {
  readonly version: string;
  readonly source: Record<string, string>;
  readonly sourceHealth: { health: string; head: string | null; error: string | null; consecutiveFailures: number; lastSuccessAt: string | null; nextFetchAt: string | null };
  readonly pinned: string | null;
  readonly applied: { deploymentId: number; revision: string; hash: string; at: string } | null;
  readonly lastAttempt: DeploymentBody | null;
}

export interface DeploymentBody {
  readonly id: number;
  readonly revision: string;
  readonly parent: string | null;
  readonly author: string | null;
  readonly message: string | null;
  readonly trigger: string;
  readonly result: 'applied' | 'rejected' | 'rolled-back';
  readonly reason: string | null;
  readonly errors: number;
  readonly warnings: number;
  readonly diagnostics: readonly { rule: string; severity: string; message: string; file: string; line: number; column: number }[];
  readonly configHash: string | null;
}

export async function status(to: Address): Promise<StatusBody> {
  const answer = await api(to, 'GET', '/api/v1/status');
  if (answer.status !== 200) throw new Error(`GET /api/v1/status: ${answer.status} ${answer.text}`);
  return answer.json as StatusBody;
}

/** Every deployment, newest first (all pages). */
export async function allDeployments(to: Address): Promise<DeploymentBody[]> {
  const out: DeploymentBody[] = [];
  for (let page = 1; ; page++) {
    const answer = await api(to, 'GET', `/api/v1/deployments?limit=200&page=${page}`);
    const body = answer.json as { total: number; items: DeploymentBody[] };
    out.push(...body.items);
    if (body.items.length === 0 || out.length >= body.total) return out;
  }
}

/** Waits until the newest attempt is for `revision`; returns it. */
export function waitAttempt(to: Address, revision: string, timeoutMs: number): Promise<DeploymentBody> {
  return waitFor(`an attempt at ${revision.slice(0, 12)}`, async () => {
    const last = (await status(to)).lastAttempt;
    return last?.revision === revision ? last : undefined;
  }, timeoutMs);
}
