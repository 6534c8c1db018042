// Shared parts of the `gitgate diff` end-to-end tests (test/e2e/diff-*.test.ts): real git
// repositories in temporary folders whose first commit is the airlines example, edits made as
// text replacements on its files, the built CLI run as a child process from any folder, and a
// snapshot of everything the diff must never change (status, index bytes, worktree files).
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, lstat, mkdir, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { BIN, ensureBuilt, ROOT, tempDir } from '../helpers/gateway-fixtures.js';

export const AIRLINES = path.join(ROOT, 'examples/airlines');

/** A commit identity for every test commit; no user or system signing setting leaks in. */
const IDENTITY = ['-c', 'user.name=diff-test', '-c', 'user.email=diff-test@example.com', '-c', 'commit.gpgsign=false'];

/** Runs the system git; fails loudly on a non-zero exit. */
export function git(cwd: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env: gitEnv(), maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`git ${args.join(' ')} (in ${cwd}) failed: ${stderr}`));
      else resolve(stdout.trimEnd());
    });
  });
}

function gitEnv(): NodeJS.ProcessEnv {
  // GIT_OPTIONAL_LOCKS=0: `git status` run by the snapshot must not refresh (write) the index.
  return { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' };
}

/** A git repository in a temporary folder (removed at the end of the test file). */
export class Repo {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  static async create(prefix: string): Promise<Repo> {
    const repo = new Repo(path.join(await tempDir(prefix), 'repo'));
    await mkdir(repo.dir, { recursive: true });
    await git(repo.dir, 'init', '--quiet', '--initial-branch=main');
    return repo;
  }

  /** A clone of `source` (all branches as local branches), for tests that dirty the worktree. */
  static async clone(source: Repo, prefix: string): Promise<Repo> {
    const dir = path.join(await tempDir(prefix), 'repo');
    await git(path.dirname(dir), 'clone', '--quiet', '--no-local', source.dir, dir);
    return new Repo(dir);
  }

  path(file: string): string {
    return path.join(this.dir, file);
  }

  read(file: string): Promise<string> {
    return readFile(this.path(file), 'utf8');
  }

  async write(file: string, text: string): Promise<void> {
    await mkdir(path.dirname(this.path(file)), { recursive: true });
    await writeFile(this.path(file), text);
  }

  /** Replaces `from` by `to` in `file`: exactly one occurrence, or the test's edit is wrong. */
  async replace(file: string, from: string, to: string): Promise<void> {
    const text = await this.read(file);
    const count = text.split(from).length - 1;
    if (count !== 1) throw new Error(`${file}: expected exactly one ${JSON.stringify(from)}, found ${count}`);
    await writeFile(this.path(file), text.replace(from, to));
  }

  git(...args: string[]): Promise<string> {
    return git(this.dir, ...args);
  }

  /** Stages everything and commits; returns the commit. */
  async commit(message: string): Promise<string> {
    await this.git('add', '--all');
    await this.git(...IDENTITY, 'commit', '--quiet', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  /** Applies `edit`, commits, returns the commit. */
  async change(message: string, edit: (repo: Repo) => Promise<void>): Promise<string> {
    await edit(this);
    return this.commit(message);
  }
}

// ---------------------------------------------------------------------------------------------
// The scenario repository.

/** Where the airlines example lives in the test repositories (`--path deploy`). */
export const DEPLOY = 'deploy';

/** A second, small configuration beside it, for `--path`: its own gateway and namespace. */
export const STAGING = `apiVersion: hub.traefik.io/v1alpha1
kind: API
metadata:
  name: status-api
  namespace: staging
spec:
  pathPrefix: /status
  service:
    name: status-app
    port:
      number: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: status-app
  namespace: staging
spec:
  ports:
    - port: 8080
---
apiVersion: hub.traefik.io/v1alpha1
kind: APIAccess
metadata:
  name: staging-everyone
spec:
  anyGroups: true
  apis:
    - name: status-api
      namespace: staging
---
apiVersion: hub.traefik.io/v1alpha1
kind: APIGateway
metadata:
  name: staging-gateway
spec:
  apiAccesses:
    - staging-everyone
`;

/** A new version of customer-api, chosen by a header and a query parameter together. */
export const CUSTOMER_V5 = `---
apiVersion: hub.traefik.io/v1alpha1
kind: APIVersion
metadata:
  name: v5
  namespace: apps
spec:
  apiName: customer-api
  release: 5.0.0
  title: By header and query parameter
  routes:
    - headers:
        Version: "5"
      queryParams:
        v: "5"
  service:
    name: customer-app-v4
    port:
      number: 3000
    openApiSpec:
      path: /openapi.yaml
`;

/** A new API every admin may call (the `admins` access selects APIs with an `area` label). */
export const EXTRA_API = `apiVersion: hub.traefik.io/v1alpha1
kind: API
metadata:
  name: baggage-api
  namespace: apps
  labels:
    area: baggage
spec:
  pathPrefix: /baggage
  service:
    name: baggage-app
    port:
      number: 3000
---
apiVersion: v1
kind: Service
metadata:
  name: baggage-app
  namespace: apps
spec:
  ports:
    - port: 3000
`;

const F = {
  rateLimits: `${DEPLOY}/apps/api-rate-limit.yaml`,
  gateway: `${DEPLOY}/apps/api-gateway.yaml`,
  access: `${DEPLOY}/apps/api-access.yaml`,
  external: `${DEPLOY}/apps/external/api.yaml`,
  tickets: `${DEPLOY}/apps/tickets/api.yaml`,
  flights: `${DEPLOY}/apps/flights/api.yaml`,
  customers: `${DEPLOY}/apps/customers/api.yaml`,
  staging: 'staging/resources.yaml',
} as const;
export const FILES = F;

/** The commits of the scenario repository, by what each does. */
export interface Scenario {
  readonly repo: Repo;
  /** The airlines example in deploy/, the staging configuration in staging/, a README. */
  readonly base: string;
  /** Only the period of the anyGroups fallback limit: 100/1m → 100/30s. */
  readonly period: string;
  /** The crm-all APIAccess taken out of the gateway. */
  readonly removeAccess: string;
  /** world-time-api renamed time-api, at /time instead of /world-time. */
  readonly rename: string;
  /** ticket-api renamed tickets-api, still at /tickets. */
  readonly renameSamePath: string;
  /** partner-bookings names flight-apj, which does not exist (rule `reference`). */
  readonly breakRef: string;
  /** ... and flight-api again. */
  readonly fixRef: string;
  /** customer-api gains v5, chosen by header Version: 5 and query v=5. */
  readonly version: string;
  /** Two APIs move: tickets-api to /ticketing, flight-api to /flight-ops (for --include/--exclude). */
  readonly twoFiles: string;
  /** deploy/: support limit 15 → 12 per minute; staging/: status-api at /health instead of /status. */
  readonly bothFolders: string;
  /** Branch `feature`, from bothFolders: the support limit 12 → 20 per minute. */
  readonly feature: string;
  /** main after the fork: the public-time access leaves the gateway. */
  readonly mainAfterFork: string;
}

/**
 * Builds the scenario repository: a linear main with one commit per case, then a `feature`
 * branch and one more commit on main after the fork. HEAD is left on main.
 */
export async function createScenario(prefix: string): Promise<Scenario> {
  const repo = await Repo.create(prefix);
  await cp(AIRLINES, repo.path(DEPLOY), { recursive: true });
  await repo.write(F.staging, STAGING);
  await repo.write('README.md', '# GitOps repository for the diff tests\n');
  const base = await repo.commit('airlines example');
  const period = await repo.change('fallback period 1m → 30s', (r) => r.replace(F.rateLimits, 'limit: 100\n  period: 1m', 'limit: 100\n  period: 30s'));
  const removeAccess = await repo.change('remove crm-all from the gateway', (r) => r.replace(F.gateway, '    - crm-all\n', ''));
  const rename = await repo.change('rename world-time-api to time-api at /time', async (r) => {
    await r.replace(F.external, 'name: world-time-api', 'name: time-api');
    await r.replace(F.external, 'pathPrefix: /world-time', 'pathPrefix: /time');
    await r.replace(F.access, '- name: world-time-api', '- name: time-api');
  });
  const renameSamePath = await repo.change('rename ticket-api to tickets-api', (r) => r.replace(F.tickets, 'name: ticket-api', 'name: tickets-api'));
  const breakRef = await repo.change('partner-bookings names a missing API', (r) => r.replace(F.access, '- name: flight-api', '- name: flight-apj'));
  const fixRef = await repo.change('fix the reference', (r) => r.replace(F.access, '- name: flight-apj', '- name: flight-api'));
  const version = await repo.change('customer-api v5', async (r) => r.write(F.customers, `${await r.read(F.customers)}${CUSTOMER_V5}`));
  const twoFiles = await repo.change('move tickets and flights', async (r) => {
    await r.replace(F.tickets, 'spec:\n  pathPrefix: /tickets', 'spec:\n  pathPrefix: /ticketing');
    await r.replace(F.flights, 'spec:\n  pathPrefix: /flights', 'spec:\n  pathPrefix: /flight-ops');
  });
  const bothFolders = await repo.change('deploy and staging', async (r) => {
    await r.replace(F.rateLimits, 'limit: 15\n', 'limit: 12\n');
    await r.replace(F.staging, 'pathPrefix: /status', 'pathPrefix: /health');
  });
  await repo.git('checkout', '--quiet', '-b', 'feature');
  const feature = await repo.change('support limit 12 → 20', (r) => r.replace(F.rateLimits, 'limit: 12\n', 'limit: 20\n'));
  await repo.git('checkout', '--quiet', 'main');
  const mainAfterFork = await repo.change('public-time leaves the gateway', (r) => r.replace(F.gateway, '    - public-time\n', ''));
  return { repo, base, period, removeAccess, rename, renameSamePath, breakRef, fixRef, version, twoFiles, bothFolders, feature, mainAfterFork };
}

// ---------------------------------------------------------------------------------------------
// The report.

export interface LimitJson {
  name: string;
  limit: number;
  period: string;
}
export interface RouteJson {
  hosts: string[];
  pathPrefix: string;
  conditions: string[];
  api: string;
  version: string | null;
}
export interface AccessJson {
  group: string;
  api: string;
  operations: string[];
  remaining?: string[];
}
export interface RateLimitJson {
  group: string;
  api: string;
  before: LimitJson | null;
  after: LimitJson | null;
}
export interface GatewayJson {
  name: string;
  routes: { added: RouteJson[]; removed: RouteJson[]; changed: { hosts: string[]; pathPrefix: string; conditions: string[]; before: { api: string; version: string | null }; after: { api: string; version: string | null } }[] };
  access: { granted: AccessJson[]; revoked: AccessJson[] };
  rateLimits: RateLimitJson[];
  apis: { added: string[]; removed: string[]; changed: { api: string; changes: string[] }[] };
}
export interface LintJson {
  rule: string;
  severity: string;
  message: string;
  file: string;
  line: number;
  column: number;
  resource?: { kind: string; namespace?: string; name: string };
  field?: string;
}
export interface ConsumerJson {
  email: string;
  keyName: string;
  api: string;
  requests: number;
  reasons: string[];
  refusedByNewLimit?: number;
}
export interface ReportJson {
  base: string;
  head: string;
  gateways: GatewayJson[];
  lint: { introduced: LintJson[]; fixed: LintJson[] };
  consumers: ConsumerJson[] | null;
  risk: { level: 'low' | 'medium' | 'high'; reason: string };
  summary: string;
  contracts: unknown[];
}

/** The one gateway of a report by name (fails when it is missing). */
export function gatewayOf(report: ReportJson, name = 'api-gateway'): GatewayJson {
  const gateway = report.gateways.find((g) => g.name === name);
  if (gateway === undefined) throw new Error(`no gateway ${name} in the report: ${report.gateways.map((g) => g.name).join(', ') || 'none'}`);
  return gateway;
}

/** Asserts the documented JSON shape, key order included, of a parsed `--format json` report. */
export function expectJsonShape(report: ReportJson): void {
  expect(Object.keys(report)).toEqual(['base', 'head', 'gateways', 'lint', 'consumers', 'risk', 'summary', 'contracts']);
  expect(Object.keys(report.lint)).toEqual(['introduced', 'fixed']);
  expect(Object.keys(report.risk)).toEqual(['level', 'reason']);
  expect(['low', 'medium', 'high']).toContain(report.risk.level);
  const apiName = /^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/;
  const limit = (value: LimitJson | null) => {
    if (value === null) return;
    expect(Object.keys(value)).toEqual(['name', 'limit', 'period']);
    expect(value).toEqual({ name: expect.any(String), limit: expect.any(Number), period: expect.stringMatching(/^(\d+(ms|s|m|h))+$/) });
  };
  for (const g of report.gateways) {
    expect(Object.keys(g)).toEqual(['name', 'routes', 'access', 'rateLimits', 'apis']);
    expect(Object.keys(g.routes)).toEqual(['added', 'removed', 'changed']);
    expect(Object.keys(g.access)).toEqual(['granted', 'revoked']);
    expect(Object.keys(g.apis)).toEqual(['added', 'removed', 'changed']);
    for (const r of [...g.routes.added, ...g.routes.removed]) {
      expect(Object.keys(r)).toEqual(['hosts', 'pathPrefix', 'conditions', 'api', 'version']);
      expect(r.api).toMatch(apiName);
    }
    for (const r of g.routes.changed) {
      expect(Object.keys(r)).toEqual(['hosts', 'pathPrefix', 'conditions', 'before', 'after']);
      expect(r.before.api).toMatch(apiName);
      expect(r.after.api).toMatch(apiName);
    }
    for (const a of g.access.granted) {
      expect(Object.keys(a)).toEqual(['group', 'api', 'operations']);
      expect(a.api).toMatch(apiName);
    }
    for (const a of g.access.revoked) {
      expect(Object.keys(a).slice(0, 3)).toEqual(['group', 'api', 'operations']);
      expect(Object.keys(a).length === 3 || Object.keys(a)[3] === 'remaining').toBe(true);
      expect(a.api).toMatch(apiName);
    }
    for (const r of g.rateLimits) {
      expect(Object.keys(r)).toEqual(['group', 'api', 'before', 'after']);
      expect(r.api).toMatch(apiName);
      limit(r.before);
      limit(r.after);
    }
    for (const api of [...g.apis.added, ...g.apis.removed]) expect(api).toMatch(apiName);
    for (const c of g.apis.changed) {
      expect(Object.keys(c)).toEqual(['api', 'changes']);
      expect(c.api).toMatch(apiName);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Running the CLI, and what it must leave alone.

export interface DiffRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node bin/gitgate ...args` in `cwd` (no NODE_OPTIONS from vitest). */
export async function gitgate(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<DiffRun> {
  await ensureBuilt();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** What the diff must never change: the status, the index's bytes, every worktree file, HEAD and the refs. */
export interface RepoSnapshot {
  readonly index: string;
  readonly status: string;
  readonly files: Readonly<Record<string, string>>;
  readonly head: string;
  readonly refs: string;
}

export async function snapshot(root: string): Promise<RepoSnapshot> {
  // The index is hashed before `git status` runs (which, with optional locks off, does not write it either).
  const index = await readFile(path.join(root, '.git', 'index')).then(sha256, () => 'no index');
  const status = await git(root, 'status', '--porcelain=v2', '--branch', '--untracked-files=all', '--ignored');
  const files: Record<string, string> = {};
  for (const file of await listFiles(root, '')) {
    const full = path.join(root, file);
    // A symbolic link is recorded as its target, not followed.
    files[file] = (await lstat(full)).isSymbolicLink() ? `link ${await readlink(full)}` : sha256(await readFile(full));
  }
  const head = await readFile(path.join(root, '.git', 'HEAD'), 'utf8');
  const refs = await git(root, 'for-each-ref', '--format=%(refname) %(objectname)');
  return { index, status, files, head, refs };
}

async function listFiles(root: string, relative: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(root, relative), { withFileTypes: true })) {
    const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (child === '.git') continue;
    if (entry.isDirectory()) out.push(...(await listFiles(root, child)));
    else out.push(child);
  }
  return out.sort();
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** How many diff invocations were checked against the snapshot (a test asserts it is not zero). */
export const checked = { runs: 0 };

/**
 * `gitgate diff ...args` run from `cwd` inside `repo`, checking that the repository's status,
 * index, worktree files, HEAD and refs are byte for byte what they were before.
 */
export async function diff(repo: Repo, args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<DiffRun> {
  const before = await snapshot(repo.dir);
  const run = await gitgate(options.cwd ?? repo.dir, ['diff', ...args], options.env);
  const after = await snapshot(repo.dir);
  expect(after, `gitgate diff ${args.join(' ')} changed the repository`).toEqual(before);
  checked.runs++;
  return run;
}

/** `gitgate diff --format json ...args`: exit status and the parsed report (its shape checked). */
export async function diffJson(repo: Repo, args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; report: ReportJson; stderr: string }> {
  const run = await diff(repo, ['--format', 'json', ...args], options);
  let report: ReportJson;
  try {
    report = JSON.parse(run.stdout) as ReportJson;
  } catch {
    throw new Error(`gitgate diff ${args.join(' ')} exited ${run.code} without a JSON report:\n${run.stdout}${run.stderr}`);
  }
  expectJsonShape(report);
  return { code: run.code, report, stderr: run.stderr };
}

/** A route as the report lists it, on every host with no conditions unless given. */
export function route(pathPrefix: string, api: string, version: string | null = null, conditions: string[] = []): RouteJson {
  return { hosts: ['*'], pathPrefix, conditions, api, version };
}

export function limit(name: string, value: number, period: string): LimitJson {
  return { name, limit: value, period };
}

/** The 1-based line of the first line of `text` that contains `needle`, and its column (1-based). */
export function position(text: string, needle: string): { line: number; column: number } {
  const lines = text.split('\n');
  const index = lines.findIndex((l) => l.includes(needle));
  if (index === -1) throw new Error(`${JSON.stringify(needle)} not found`);
  return { line: index + 1, column: lines[index]!.indexOf(needle) + 1 };
}

/** Removes a folder created by a test inside a repository. */
export function remove(repo: Repo, relative: string): Promise<void> {
  return rm(repo.path(relative), { recursive: true, force: true });
}
