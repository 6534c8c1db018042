import { execFile, fork, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, request, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { lint } from '../src/analyzer/index.js';
import { buildRevision, GitSource, signWebhook, startGatewayRuntime } from '../src/control/index.js';
import { createGraph, loadSources } from '../src/model/index.js';
import { compile, ConfigAssembler, splitConfig, type RuntimeConfig } from '../src/policy/index.js';
import { silentLogger } from '../src/telemetry/index.js';
import { generateSyntheticRepo } from './synthetic-repo.js';
import { packageRoot } from './support.js';

// `npm run bench:reconcile` (env: ROUNDS=10, BIG_ROUNDS=5, APIS=10000, POLL_INTERVAL=1s,
// PROFILE_RUNS=3, BIG_PROFILE_RUNS=1; KEEP=1 keeps the temp folder and the servers' logs).
// Issue 4: time from `git push` to the first request served on the new route, through the real
// `gitgate serve --repo` as a child process, with the webhook and with polling; the apply time
// of the 10,000-API repository; and where the time goes (the server's timestamps, plus the
// reconciler's steps run one by one in this process). A scenario that fails is reported in the
// table and the others still run; the verdict is printed, and the exit code is 0.

const ROUNDS = intEnv('ROUNDS', 10);
const BIG_ROUNDS = intEnv('BIG_ROUNDS', 5);
const APIS = intEnv('APIS', 10_000);
const PROFILE_RUNS = intEnv('PROFILE_RUNS', 3);
/** A 10k build takes tens of seconds, three times over per run (split, whole, fresh thread). */
const BIG_PROFILE_RUNS = intEnv('BIG_PROFILE_RUNS', 1);
const POLL_INTERVAL = process.env.POLL_INTERVAL ?? '1s';
const POLL_INTERVAL_MS = parseSeconds(POLL_INTERVAL);
/** Long enough that no timer fetch lands inside a webhook round. */
const WEBHOOK_INTERVAL = '60s';
/** Probe period while waiting for the new route (issue: every 5-10 ms). */
const PROBE_MS = 5;
const TARGET_MS = 1000;
/** Per 10k step (start, one push): a build takes 20-30 s on 2 busy CPUs. */
const BIG_TIMEOUT_MS = 300_000;
const ADMIN_TOKEN = 'gga_bench-reconcile-admin-token';
const SECRET = 'bench-reconcile-webhook-secret';
/** The gateway of the synthetic repository whose `admins` access grants every API with a `team` label. */
const BIG_HOST = 'internal.api.example.com';

const ROOT = packageRoot();
const BIN = path.join(ROOT, 'bin/gitgate');
/**
 * The module the reconciler's build script imports (src/control/pipeline.ts, compiled beside this
 * file in dist/): the cold-build process loads what a build loads, not the whole control plane.
 */
const PIPELINE = new URL('../src/control/pipeline.js', import.meta.url).href;
const now = (): number => performance.timeOrigin + performance.now();
let maxLoad = 0;
const sampleLoad = (): void => void (maxLoad = Math.max(maxLoad, loadavg()[0] ?? 0));

interface Address {
  readonly host: string;
  readonly port: number;
}

/** One push measured end to end; times are epoch ms. `served` is undefined on a timeout. */
interface Round {
  readonly sha: string;
  readonly probe: Probe;
  readonly pushStart: number;
  readonly pushed: number;
  readonly hooked: number | undefined;
  readonly served: number | undefined;
  readonly probes: number;
  /** The slowest single probe answer: how long the gateway stalled (its event loop was busy). */
  readonly slowestProbe: number;
  /** From the server: the deployment's attemptedAt (after fetch and `git show`), the "revision applied" log line. */
  attempted?: number;
  applied?: number;
}

interface Row {
  readonly scenario: string;
  readonly values: readonly number[];
  readonly failed: number;
  readonly verdict?: string;
  readonly error?: string;
}

interface Phases {
  [phase: string]: number;
}

const rows: Row[] = [];
const serverPhases: { scenario: string; phases: Phases }[] = [];
const profiles: { label: string; files: number; clone: number; phases: Phases; configBytes: number; runs: number }[] = [];
const notes: string[] = [];

async function main(): Promise<void> {
  console.log(`gitgate bench:reconcile: node ${process.version}, ${availableParallelism()} CPUs, load ${loadavg()[0]!.toFixed(1)}; ROUNDS=${ROUNDS} BIG_ROUNDS=${BIG_ROUNDS} APIS=${APIS} POLL_INTERVAL=${POLL_INTERVAL}`);
  const tmp = await mkdtemp(path.join(tmpdir(), 'gitgate-bench-reconcile-'));
  const upstream = await startUpstream();
  try {
    const small = await smallRepository(tmp, upstream.port);
    await scenario('webhook, small repo: push → first 200', () => pushRounds(small, tmp, { name: 'small-webhook', webhook: true, rounds: ROUNDS, interval: WEBHOOK_INTERVAL }), true);
    await scenario(`polling ${POLL_INTERVAL}, small repo: push → first 200`, () => pushRounds(small, tmp, { name: 'small-poll', webhook: false, rounds: ROUNDS, interval: POLL_INTERVAL }));
    // The reconciler arms its timer when a sync ends: a push waits interval/2 on average, then one sync.
    notes.push(`polling ${POLL_INTERVAL}: expected on average about ${ms(POLL_INTERVAL_MS / 2)} ms (half the interval) plus one fetch and build`);
    await attempt('profile small', () => profile('small repo', small, tmp, PROFILE_RUNS));
    const big = await bigRepository(tmp, upstream.port);
    await attempt(`${APIS} APIs`, () => bigScenarios(big, tmp));
    await attempt(`profile ${APIS}`, () => profile(`${APIS} APIs`, big, tmp, BIG_PROFILE_RUNS));
  } finally {
    probeAgent.destroy();
    await new Promise((resolve) => upstream.server.close(resolve));
    upstream.server.closeAllConnections();
    if (process.env.KEEP === '1') console.log(`kept ${tmp}`);
    else await rm(tmp, { recursive: true, force: true });
  }
  report();
}

// ---------------------------------------------------------------------------------------------
// Repositories: a bare remote and a working clone, as a user has them.

interface Repo {
  readonly remote: string;
  readonly work: string;
  /** Commits one new API (served at `/bench/<name>/`) and returns the probe for it. */
  addApi(name: string): Promise<Probe>;
}

interface Probe {
  readonly path: string;
  readonly host: string | undefined;
}

async function initRepo(tmp: string, name: string, work: string): Promise<{ remote: string; work: string }> {
  const remote = path.join(tmp, `${name}.git`);
  await git(tmp, 'init', '-q', '--bare', '-b', 'main', remote);
  await git(work, 'init', '-q', '-b', 'main');
  await git(work, 'remote', 'add', 'origin', remote);
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', `${name}: initial`);
  await git(work, 'push', '-q', 'origin', 'main');
  return { remote, work };
}

/** A handful of APIs behind one access granted to the group `bench`, backed by the local upstream. */
async function smallRepository(tmp: string, upstreamPort: number): Promise<Repo> {
  const work = path.join(tmp, 'small-work');
  await mkdir(path.join(work, 'apis'), { recursive: true });
  await writeFile(
    path.join(work, 'platform.yaml'),
    `apiVersion: v1
kind: Service
metadata: { name: bench-app, namespace: bench }
spec:
  ports: [{ port: 80 }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: bench-app-local
  namespace: bench
  labels: { kubernetes.io/service-name: bench-app }
addressType: IPv4
ports: [{ port: ${upstreamPort} }]
endpoints: [{ addresses: ["127.0.0.1"] }]
---
apiVersion: hub.traefik.io/v1alpha1
kind: APIAccess
metadata: { name: bench-users }
spec:
  groups: [bench]
  apiSelector:
    matchLabels: { bench: reconcile }
---
apiVersion: hub.traefik.io/v1alpha1
kind: APIGateway
metadata: { name: main }
spec:
  apiAccesses: [bench-users]
`,
  );
  const write = (name: string) => writeFile(path.join(work, 'apis', `${name}.yaml`), smallApi(name));
  for (let i = 0; i < 5; i++) await write(`api-${i}`);
  const { remote } = await initRepo(tmp, 'small', work);
  return {
    remote,
    work,
    addApi: async (name) => {
      await write(name);
      await commitAll(work, `add ${name}`);
      return { path: `/bench/${name}/ping`, host: undefined };
    },
  };
}

function smallApi(name: string): string {
  return `apiVersion: hub.traefik.io/v1alpha1
kind: API
metadata:
  name: ${name}
  namespace: bench
  labels: { bench: reconcile }
spec:
  pathPrefix: /bench/${name}
  service:
    name: bench-app
    port: { number: 80 }
`;
}

/** bench/synthetic-repo.ts at APIS APIs; new APIs go in team-000 and are served by the `internal` gateway. */
async function bigRepository(tmp: string, upstreamPort: number): Promise<Repo> {
  const work = path.join(tmp, 'big-work');
  let started = now();
  const generated = await generateSyntheticRepo(work, { apis: APIS });
  const generateMs = now() - started;
  started = now();
  const { remote } = await initRepo(tmp, 'big', work);
  console.log(
    `generated ${APIS} APIs: ${count(generated.files)} files, ${count(generated.resources)} resources, ${(generated.bytes / 2 ** 20).toFixed(1)} MiB in ${ms(generateMs)} ms; initial commit and push ${ms(now() - started)} ms`,
  );
  const folder = path.join(work, 'teams', 'team-000', 'apis');
  return {
    remote,
    work,
    addApi: async (name) => {
      await writeFile(path.join(folder, `${name}.yaml`), bigApi(name, upstreamPort));
      await commitAll(work, `add ${name}`);
      return { path: `/bench/${name}/ping`, host: BIG_HOST };
    },
  };
}

function bigApi(name: string, upstreamPort: number): string {
  return `apiVersion: hub.traefik.io/v1alpha1
kind: API
metadata:
  name: ${name}
  namespace: team-000
  labels: { team: team-000, tier: internal }
spec:
  pathPrefix: /bench/${name}
  service:
    name: ${name}
    port: { number: 80 }
---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: team-000 }
spec:
  ports: [{ port: 80 }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}-local
  namespace: team-000
  labels: { kubernetes.io/service-name: ${name} }
addressType: IPv4
ports: [{ port: ${upstreamPort} }]
endpoints: [{ addresses: ["127.0.0.1"] }]
`;
}

// ---------------------------------------------------------------------------------------------
// Scenarios through the real CLI.

async function scenario(name: string, run: () => Promise<readonly Round[]>, gated = false): Promise<readonly Round[]> {
  try {
    const rounds = await run();
    const values = rounds.flatMap((r) => (r.served === undefined ? [] : [r.served - r.pushStart]));
    const failed = rounds.length - values.length;
    let verdict: string | undefined;
    if (gated) {
      const complete = failed === 0 && values.length > 0;
      verdict = `median ${complete && median(values) < TARGET_MS ? 'PASS' : 'FAIL'}, max ${complete && Math.max(...values) < TARGET_MS ? 'PASS' : 'FAIL'}`;
    }
    rows.push({ scenario: name, values, failed, ...(verdict === undefined ? {} : { verdict }) });
    serverPhases.push({ scenario: name, phases: roundPhases(rounds) });
    return rounds;
  } catch (error) {
    rows.push({ scenario: name, values: [], failed: 0, error: String((error as Error).message ?? error), ...(gated ? { verdict: 'FAIL' } : {}) });
    console.error(`${name}: ${(error as Error).stack ?? String(error)}`);
    return [];
  }
}

async function attempt(name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    notes.push(`${name} failed: ${(error as Error).message}`);
    console.error(`${name}: ${(error as Error).stack ?? String(error)}`);
  }
}

/** `gitgate serve --repo` on the repository, then `rounds` times: commit an API, push, (webhook), probe. */
async function pushRounds(
  repo: Repo,
  tmp: string,
  options: { name: string; webhook: boolean; rounds: number; interval: string; serve?: ServeProcess; timeoutMs?: number },
): Promise<Round[]> {
  const serve = options.serve ?? (await startServeProcess(tmp, repo.remote, options.name, options.interval));
  const intervalMs = parseSeconds(options.interval);
  const timeoutMs = options.timeoutMs ?? (options.webhook ? 30_000 : intervalMs * 3 + 30_000);
  const rounds: Round[] = [];
  try {
    for (let i = 0; i < options.rounds; i++) {
      const probe = await repo.addApi(`${options.name}-${i}`);
      const sha = await gitText(repo.work, 'rev-parse', 'HEAD');
      // Polling: push at a random phase of the fetch timer, so rounds do not lock onto it.
      if (!options.webhook) await sleep(Math.random() * intervalMs);
      sampleLoad();
      const pushStart = now();
      await git(repo.work, 'push', '-q', 'origin', 'main');
      const pushed = now();
      let hooked: number | undefined;
      if (options.webhook) {
        const answer = await sendWebhook(serve.admin, sha);
        if (answer.status !== 202) throw new Error(`POST /hooks/git answered ${answer.status}: ${answer.text}`);
        hooked = now();
      }
      const served = await waitServed(serve.gateway, probe, serve.key, pushStart + timeoutMs);
      rounds.push({ sha, probe, pushStart, pushed, hooked, served: served?.at, probes: served?.probes ?? 0, slowestProbe: served?.slowest ?? NaN });
      const took = served === undefined ? 'timeout' : `${ms(served.at - pushStart)} ms`;
      console.log(`  ${options.name} ${i + 1}/${options.rounds}: ${sha.slice(0, 8)} served after ${took}`);
    }
    await serverTimes(serve, rounds);
  } finally {
    if (options.serve === undefined) await serve.stop();
  }
  return rounds;
}

/** The 10k repository: initial start, small changes with the webhook, restart from the store. */
async function bigScenarios(repo: Repo, tmp: string): Promise<void> {
  const head = await gitText(repo.work, 'rev-parse', 'HEAD');
  const data = path.join(tmp, 'big-data');
  const key = await createConsumer(data, ['admin']);
  sampleLoad();
  const spawned = now();
  const serve = await startServeProcess(tmp, repo.remote, 'big', WEBHOOK_INTERVAL, { data, key, timeoutMs: BIG_TIMEOUT_MS });
  let rounds: readonly Round[] = [];
  try {
    const listening = now();
    if (!(await waitStatus(serve, (status) => status.applied?.revision === head, spawned + BIG_TIMEOUT_MS))) {
      throw new Error(`${APIS} APIs: the first revision was not applied in ${ms(BIG_TIMEOUT_MS)} ms (see ${serve.logFile})`);
    }
    const statusAt = now();
    const deployment = (await deploymentsOf(serve)).get(head);
    const applied = serve.appliedAt(head);
    const attempted = deployment === undefined ? undefined : Date.parse(deployment.attemptedAt);
    rows.push({ scenario: `${APIS} APIs: start (clone, build, apply) → status applied`, values: [statusAt - spawned], failed: 0 });
    serverPhases.push({
      scenario: `${APIS} APIs: start`,
      phases: {
        'spawn → addresses printed': listening - spawned,
        'spawn → fetched (attemptedAt)': attempted === undefined ? NaN : attempted - spawned,
        'attemptedAt → "revision applied" (read, build, apply, record)': attempted === undefined || applied === undefined ? NaN : applied - attempted,
        'applied → status seen applied': applied === undefined ? NaN : statusAt - applied,
      },
    });
    notes.push(`${APIS} APIs: the serve process holds ${serve.rssMiB()} MiB RSS after the first apply`);
    rounds = await scenario(`webhook, ${APIS} APIs + 1 API: push → first 200`, () =>
      pushRounds(repo, tmp, { name: 'big-webhook', webhook: true, rounds: BIG_ROUNDS, interval: WEBHOOK_INTERVAL, serve, timeoutMs: BIG_TIMEOUT_MS }),
    );
    // The restart below should find the newest revision in the store, not build it again.
    const newest = await gitText(repo.work, 'rev-parse', 'HEAD');
    await waitStatus(serve, (status) => status.lastAttempt?.revision === newest, now() + BIG_TIMEOUT_MS);
  } finally {
    await serve.stop();
  }
  // Restart on a known port, probing from the first moment: the gateway should serve the last
  // good configuration from the store before (or while) it fetches (issue 4, point 5).
  const lastServed = [...rounds].reverse().find((round) => round.served !== undefined);
  if (lastServed === undefined) return void notes.push(`${APIS} APIs: no round was served, so the restart was not measured`);
  const port = await freePort();
  const stop = new AbortController();
  sampleLoad();
  const restarted = now();
  const probing = waitServed({ host: '127.0.0.1', port }, lastServed.probe, key, restarted + 120_000, stop.signal);
  try {
    const again = await startServeProcess(tmp, repo.remote, 'big-restart', WEBHOOK_INTERVAL, { data, key, timeoutMs: BIG_TIMEOUT_MS, listenPort: port });
    const listening = now();
    const served = await probing;
    await again.stop();
    rows.push({ scenario: `${APIS} APIs: restart → first 200 (last good from the store)`, values: served === undefined ? [] : [served.at - restarted], failed: served === undefined ? 1 : 0 });
    rows.push({ scenario: `${APIS} APIs: restart → addresses printed`, values: [listening - restarted], failed: 0 });
  } finally {
    stop.abort();
    await probing.catch(() => undefined);
  }
}

interface Status {
  readonly applied: { readonly revision: string } | null;
  readonly lastAttempt: { readonly revision: string; readonly result: string } | null;
}

/** Polls GET /api/v1/status every 20 ms until `done` says so: false at the deadline. */
async function waitStatus(serve: ServeProcess, done: (status: Status) => boolean, deadline: number): Promise<boolean> {
  while (now() < deadline) {
    if (done(await adminJson<Status>(serve, '/api/v1/status'))) return true;
    await sleep(20);
  }
  return false;
}

function freePort(): Promise<number> {
  const server = createNetServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Where the time goes: the server's own timestamps per round...

async function serverTimes(serve: ServeProcess, rounds: Round[]): Promise<void> {
  const deployments = await deploymentsOf(serve);
  for (const round of rounds) {
    const deployment = deployments.get(round.sha);
    if (deployment !== undefined) round.attempted = Date.parse(deployment.attemptedAt);
    round.applied = serve.appliedAt(round.sha);
  }
}

function roundPhases(rounds: readonly Round[]): Phases {
  const pick = (f: (r: Round) => number | undefined) => median(rounds.map(f).filter((v): v is number => v !== undefined && Number.isFinite(v)));
  const hooked = rounds.some((r) => r.hooked !== undefined);
  return {
    'git push': pick((r) => r.pushed - r.pushStart),
    ...(hooked ? { 'push done → webhook answered': pick((r) => (r.hooked === undefined ? undefined : r.hooked - r.pushed)) } : {}),
    [hooked ? 'webhook → attemptedAt (fetch, rev-parse, git show)' : 'push done → attemptedAt (timer wait, fetch, show)']: pick((r) =>
      r.attempted === undefined ? undefined : r.attempted - (r.hooked ?? r.pushed),
    ),
    'attemptedAt → "revision applied" (read, build, apply, record)': pick((r) => (r.attempted === undefined || r.applied === undefined ? undefined : r.applied - r.attempted)),
    'applied → first 200 (probe every 5 ms)': pick((r) => (r.applied === undefined || r.served === undefined ? undefined : r.served - r.applied)),
    'probes per round': pick((r) => r.probes),
    'slowest probe answer, max over rounds (gateway stalled)': Math.max(...rounds.map((r) => r.slowestProbe)),
  };
}

// ...and the same steps as the reconciler, one by one, in this process.

async function profile(label: string, repo: Repo, tmp: string, runs: number): Promise<void> {
  const mirrorDir = path.join(tmp, `profile-${profiles.length}.git`);
  const source = new GitSource({ url: repo.remote, branch: 'main', mirrorDir });
  let started = now();
  await source.fetch();
  const clone = now() - started;
  const runtime = await startGatewayRuntime({ dataDir: path.join(tmp, `profile-${profiles.length}-data`), listen: { host: '127.0.0.1', port: 0 }, serviceOverrides: new Map(), logger: silentLogger });
  const coldScript = await writeColdBuildScript(tmp);
  const configDir = path.join(tmp, `profile-${profiles.length}-configs`);
  await mkdir(configDir, { recursive: true });
  const all: Phases[] = [];
  let files = 0;
  let configBytes = 0;
  try {
    for (let i = 0; i < runs; i++) {
      await repo.addApi(`profile-${profiles.length}-${i}`);
      await git(repo.work, 'push', '-q', 'origin', 'main');
      const phases: Phases = {};
      const lap = <T>(phase: string, value: T): T => {
        const t = now();
        phases[phase] = t - started;
        started = t;
        return value;
      };
      sampleLoad();
      started = now();
      const sha = lap('fetch (set-url, fetch, rev-parse)', await source.fetch());
      const info = lap('commit info (git show)', await source.commit(sha));
      const snapshot = lap('read tree (ls-tree, cat-file --batch)', await source.read(sha));
      {
        // In a block, so that this graph is garbage before buildRevision builds its own.
        const loaded = lap('· load (YAML parse, schema)', loadSources(snapshot.inputs));
        const graph = lap('· graph', createGraph({ files: loaded.files, entries: loaded.entries, fileProblems: loaded.fileProblems }));
        const linted = lap('· lint', lint(graph, { rules: {} }));
        lap('· compile', compile(graph, { revision: sha }));
        // What the pipeline's resourceStates does for GET /api/v1/resources: one position per resource.
        for (const entry of graph.entries) if (entry.name !== undefined) entry.source.locate(['metadata', 'name']);
        lap('· resource states (locate metadata.name of each resource)', undefined);
        if (linted.summary.errors > 0) throw new Error(`${label}: ${linted.summary.errors} lint errors, e.g. ${JSON.stringify(linted.diagnostics[0])}`);
      }
      started = now();
      structuredClone(snapshot.inputs);
      lap('files to the build process (structured clone)', undefined);
      const built = lap('build process: buildRevision (the · steps, as the reconciler runs them), warm', buildRevision(snapshot.inputs, sha, { readProblems: snapshot.problems }));
      if (!built.ok) throw new Error(`${label}: buildRevision refused the revision`);
      await writeFile(path.join(configDir, `${built.config.hash}.json`), JSON.stringify(built.config));
      lap('build process: config saved as a JSON file', undefined);
      // The lint result comes back in one message: its resource list is deserialized in one go.
      structuredClone({ resources: built.resources, diagnostics: built.diagnostics });
      lap('lint result to the gateway process, one message (structured clone)', undefined);
      const assembler = new ConfigAssembler();
      let assembled: RuntimeConfig | undefined;
      for (const chunk of splitConfig(built.config)) assembled = assembler.add(structuredClone(chunk)) ?? assembled;
      lap('config back in pieces (split, structured clone, assemble)', undefined);
      await runtime.gateway.applyInSlices(assembled!);
      lap('gateway apply (in slices)', undefined);
      await runtime.store.deployments.record({
        revision: sha,
        parent: info.parent,
        author: info.author,
        message: info.message,
        committedAt: info.date,
        attemptedAt: new Date().toISOString(),
        trigger: 'sync',
        impact: null,
        result: 'applied',
        reason: null,
        errors: 0,
        warnings: built.summary.warnings,
        diagnostics: built.diagnostics,
        configHash: built.config.hash,
        config: null,
      });
      lap('record deployment (SQLite)', undefined);
      // The server builds each revision in a new thread or process: a cold start, and code the JIT has not seen.
      phases['◦ fresh process, empty revision (start, module load)'] = await coldBuild(coldScript, { revision: sha, inputs: [], problems: [] });
      phases['◦ fresh process, this revision (start, load, cold buildRevision)'] = await coldBuild(coldScript, { revision: sha, inputs: snapshot.inputs, problems: snapshot.problems });
      started = now();
      configBytes = Buffer.byteLength(JSON.stringify(built.config));
      files = snapshot.inputs.length;
      all.push(phases);
    }
  } finally {
    await runtime.close();
  }
  const phases: Phases = {};
  for (const phase of Object.keys(all[0] ?? {})) phases[phase] = median(all.map((p) => p[phase]!));
  profiles.push({ label, files, clone, phases, configBytes, runs });
}

/**
 * A build in a fresh process, as the reconciler runs one per revision: process start, module
 * load, and buildRevision on code the JIT has not seen, until the answer is back. Independent of
 * the build protocol (thread or process, messages): it imports the pipeline, not the build script.
 */
async function coldBuild(script: string, request: { revision: string; inputs: readonly { path: string; content: Uint8Array | string }[]; problems: readonly unknown[] }): Promise<number> {
  const started = now();
  const child = fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the cold build exited (code ${code}) before it answered`)));
      child.send(request);
    });
    return now() - started;
  } finally {
    child.kill();
  }
}

async function writeColdBuildScript(tmp: string): Promise<string> {
  const script = path.join(tmp, 'cold-build.mjs');
  await writeFile(
    script,
    `import { buildRevision } from ${JSON.stringify(PIPELINE)};
process.once('message', (request) => {
  const built = buildRevision(request.inputs, request.revision, { readProblems: request.problems });
  process.send({ ok: built.ok }, () => process.exit(0));
});
`,
  );
  return script;
}

// ---------------------------------------------------------------------------------------------
// `gitgate serve` as a child process.

interface ServeProcess {
  /** Its standard error, kept in the temp folder (KEEP=1 keeps it after the run). */
  readonly logFile: string;
  readonly gateway: Address;
  readonly admin: Address;
  readonly key: string;
  /** When the server logged "revision applied" for this revision (epoch ms). */
  appliedAt(revision: string): number | undefined;
  rssMiB(): string;
  stop(): Promise<void>;
}

async function startServeProcess(
  tmp: string,
  remote: string,
  name: string,
  interval: string,
  reuse: { data: string; key: string; timeoutMs?: number; listenPort?: number } | undefined = undefined,
): Promise<ServeProcess> {
  const data = reuse?.data ?? path.join(tmp, `${name}-data`);
  const key = reuse?.key ?? (await createConsumer(data, ['bench']));
  const args = ['serve', '--repo', remote, '--branch', 'main', '--interval', interval, '--listen', `127.0.0.1:${reuse?.listenPort ?? 0}`, '--admin-listen', '127.0.0.1:0', '--data-dir', data];
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, GITGATE_ADMIN_TOKEN: ADMIN_TOKEN, GITGATE_WEBHOOK_SECRET: SECRET },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const applied = new Map<string, number>();
  const logFile = path.join(tmp, `${name}-serve.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  let stderr = '';
  let pending = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const addresses = await new Promise<{ gateway: Address; admin: Address }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gitgate serve printed no addresses in time:\n${stderr}`)), reuse?.timeoutMs ?? 60_000);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      log.write(chunk);
      stderr += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        try {
          const entry = JSON.parse(line) as { time?: string; level?: string; msg?: string; revision?: string; error?: string };
          if (entry.msg === 'revision applied' && entry.revision !== undefined && entry.time !== undefined) applied.set(entry.revision, Date.parse(entry.time));
          // A failure inside the server explains a slow or missing round: say it under the table.
          if (entry.level === 'error' || entry.level === 'warn') serverComplaint(`${name}: ${entry.msg ?? ''}${entry.error === undefined ? '' : `: ${entry.error}`}`);
        } catch {
          // not a log line
        }
      }
      const gateway = /^\s*gateway\s+http:\/\/([^\s:]+):(\d+)/m.exec(stderr);
      const admin = /^\s*admin\s+http:\/\/([^\s:]+):(\d+)/m.exec(stderr);
      if (gateway !== null && admin !== null) {
        clearTimeout(timer);
        resolve({ gateway: { host: gateway[1]!, port: Number(gateway[2]) }, admin: { host: admin[1]!, port: Number(admin[2]) } });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gitgate serve exited ${code}:\n${stderr}`));
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    ...addresses,
    logFile,
    key,
    appliedAt: (revision) => applied.get(revision),
    rssMiB: () => rss(child),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      log.end();
    },
  };
}

const complaints = new Map<string, number>();

function serverComplaint(text: string): void {
  complaints.set(text, (complaints.get(text) ?? 0) + 1);
}

/** Resident memory of a child, from /proc (Linux); '?' elsewhere. */
function rss(child: ChildProcess): string {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? '?' : String(Math.round(Number(kb) / 1024));
  } catch {
    return '?';
  }
}

/** `gitgate users add` and `gitgate keys create` through the CLI, as a user does; returns the key. */
async function createConsumer(data: string, groups: readonly string[]): Promise<string> {
  const email = 'bench@example.com';
  await run(process.execPath, [BIN, 'users', 'add', '--email', email, '--groups', groups.join(','), '--data-dir', data], ROOT);
  const key = (await run(process.execPath, [BIN, 'keys', 'create', '--email', email, '--name', 'bench', '--data-dir', data], ROOT)).trim();
  if (!/^gg_[0-9A-Za-z]+$/.test(key)) throw new Error(`keys create printed ${JSON.stringify(key)}`);
  return key;
}

// ---------------------------------------------------------------------------------------------
// HTTP.

const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });

function call(to: Address, options: { method?: string; path: string; headers?: Record<string, string>; body?: string; agent?: Agent; timeoutMs?: number }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: to.port, method: options.method ?? 'GET', path: options.path, headers: options.headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    const timeoutMs = options.timeoutMs ?? 10_000;
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer to ${options.path} in ${ms(timeoutMs)} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Probes the new route every PROBE_MS until it answers 200: the time the 200 arrived, and the
 * slowest answer on the way (a gateway whose event loop is busy building answers late). 404 (no
 * route yet), 503 (no configuration yet) and a refused connection (not listening yet) mean "not
 * yet"; anything else means the bench is set up wrong.
 */
async function waitServed(gateway: Address, probe: Probe, key: string, deadline: number, signal?: AbortSignal): Promise<{ at: number; probes: number; slowest: number } | undefined> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}`, ...(probe.host === undefined ? {} : { host: probe.host }) };
  let probes = 0;
  let slowest = 0;
  while (now() < deadline && signal?.aborted !== true) {
    probes++;
    const sent = now();
    const answer = await call(gateway, { path: probe.path, headers, agent: probeAgent, timeoutMs: Math.max(1, deadline - sent) }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET') return { status: 0, text: '' };
      throw error;
    });
    const at = now();
    slowest = Math.max(slowest, at - sent);
    if (answer.status === 200) return { at, probes, slowest };
    if (![0, 404, 503].includes(answer.status)) throw new Error(`${probe.path} answered ${answer.status} before 200: ${answer.text.slice(0, 200)}`);
    await sleep(PROBE_MS);
  }
  return undefined;
}

/** What GitHub sends on a push, signed like GitHub signs it. */
function sendWebhook(admin: Address, sha: string): Promise<{ status: number; text: string }> {
  const body = JSON.stringify({ ref: 'refs/heads/main', after: sha, repository: { full_name: 'bench/reconcile' } });
  return call(admin, {
    method: 'POST',
    path: '/hooks/git',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': signWebhook(body, SECRET), 'content-length': String(Buffer.byteLength(body)) },
    body,
  });
}

async function adminJson<T>(serve: ServeProcess, apiPath: string): Promise<T> {
  const answer = await call(serve.admin, { path: apiPath, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  if (answer.status !== 200) throw new Error(`GET ${apiPath} answered ${answer.status}: ${answer.text}`);
  return JSON.parse(answer.text) as T;
}

async function deploymentsOf(serve: ServeProcess): Promise<Map<string, { attemptedAt: string; result: string }>> {
  const page = await adminJson<{ items: { revision: string; attemptedAt: string; result: string }[] }>(serve, '/api/v1/deployments?limit=200');
  return new Map(page.items.map((d) => [d.revision, d]));
}

async function startUpstream(): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'));
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  return { server, port };
}

// ---------------------------------------------------------------------------------------------
// Processes.

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

function run(file: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${path.basename(file)} ${args.slice(0, 4).join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

function git(cwd: string, ...args: string[]): Promise<string> {
  return run('git', ['-c', 'commit.gpgsign=false', ...args], cwd, GIT_ENV);
}

async function gitText(cwd: string, ...args: string[]): Promise<string> {
  return (await git(cwd, ...args)).trim();
}

async function commitAll(work: string, message: string): Promise<void> {
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', message);
}

// ---------------------------------------------------------------------------------------------
// Report.

function report(): void {
  console.log('');
  table(
    ['scenario', 'rounds', 'min ms', 'median ms', 'p90 ms', 'max ms', 'verdict'],
    rows.map((row) => {
      const v = row.values;
      const cells = v.length === 0 ? ['-', '-', '-', '-'] : [ms(Math.min(...v)), ms(median(v)), ms(percentile(v, 0.9)), ms(Math.max(...v))];
      const rounds = `${v.length}${row.failed > 0 ? ` (+${row.failed} timed out)` : ''}`;
      return [row.scenario, row.error === undefined ? rounds : `error: ${row.error.split('\n')[0]!.slice(0, 60)}`, ...cells, row.verdict ?? ''];
    }),
  );
  console.log('');
  for (const { scenario, phases } of serverPhases) {
    console.log(`server timestamps, ${scenario} (median ms):`);
    table(['phase', 'ms'], Object.entries(phases).map(([phase, value]) => [phase, phase.startsWith('probes') ? String(value) : ms(value)]));
    console.log('');
  }
  for (const { label, files, clone, phases, configBytes, runs } of profiles) {
    console.log(
      `the reconciler's steps in this process, ${label} (${count(files)} files, config ${(configBytes / 2 ** 20).toFixed(1)} MiB as JSON; first clone ${ms(clone)} ms; median of ${runs} one-API commit${runs === 1 ? '' : 's'}):`,
    );
    // Steps marked "·" are buildRevision's insides, timed apart; "◦" a cold build timed from
    // outside: neither is added to the total.
    const split = (phase: string) => phase.startsWith('·') || phase.startsWith('◦');
    const total = Object.entries(phases).reduce((sum, [phase, value]) => (split(phase) ? sum : sum + value), 0);
    table(['step', 'ms', 'share'], [
      ...Object.entries(phases).map(([phase, value]) => [phase, ms(value), `${Math.round((value / total) * 100)}%`]),
      ['total (without the · and ◦ steps)', ms(total), '100%'],
    ]);
    console.log('');
  }
  const gated = rows.find((row) => row.verdict !== undefined && row.scenario.startsWith('webhook, small'));
  console.log(`target (issue 4): webhook, small repository, push → first 200 under ${TARGET_MS} ms: ${gated?.verdict ?? 'not measured'}`);
  for (const note of notes) console.log(`note: ${note}`);
  for (const [text, times] of complaints) console.log(`server said: ${text}${times > 1 ? ` (${times} times)` : ''}`);
  if (maxLoad > availableParallelism()) {
    console.log(`note: the load average reached ${maxLoad.toFixed(1)} on ${availableParallelism()} CPUs during the runs: other processes inflated these wall times`);
  }
}

function table(header: readonly string[], body: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(line(row));
}

function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

/** Nearest rank. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return value < 10 ? value.toFixed(1) : String(Math.round(value));
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function sleep(delay: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, delay));
}

function intEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not "${text}"`);
  return value;
}

function parseSeconds(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text);
  if (match === null) throw new Error(`POLL_INTERVAL: write a duration such as 1s or 500ms, not "${text}"`);
  return Number(match[1]) * (match[2] === 'ms' ? 1 : match[2] === 's' ? 1000 : 60_000);
}


await main();
