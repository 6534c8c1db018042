import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import { Pool } from 'undici';
import { generateKey, hashKey, IdentityService } from '../src/identity/index.js';
import { openStore } from '../src/store/index.js';
import { generateSyntheticRepo } from './synthetic-repo.js';

// `npm run bench:gateway` (issue 3, acceptance). One run starts the upstream alone, nginx as a
// plain reverse proxy, the minimal node:http + undici proxy and `gitgate serve` with the full
// policy, each as one process on 127.0.0.1, loads each with the same wrk (1 thread, 50
// connections) and prints requests/s, p50/p99 and the ratios against the targets. Then (unless
// SCALE=0) it serves 10,000 APIs and 100,000 keys: RSS, and the worst stall of config swaps under
// load. Env: DUR (s, default 8), WARMUP (s, 2), CONTENDERS (subset, comma-separated), SCALE=0,
// SCALE_APIS, SCALE_KEYS, SWAPS (3), SWAP_CONCURRENCY (16), ROUNDS (3), GITGATE_NODE_FLAGS (e.g. `--cpu-prof --cpu-prof-dir=DIR`),
// GITGATE_CLI (another build's dist/src/cli/main.js), VERBOSE=1.
// It exits 0 when it measured (the verdicts are printed), 1 when the run is invalid.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PEERS = path.join(ROOT, 'bench', 'peers');
const WORK = path.join(ROOT, 'bench', '.work', 'gateway');
/** GITGATE_CLI runs another build (an experiment) against the same peers. */
const CLI = process.env.GITGATE_CLI ?? path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const PATH = '/employees/1';
const DUR = Number(process.env.DUR ?? 8);
const WARMUP = Number(process.env.WARMUP ?? 2);
const ADMIN_TOKEN = 'gga_bench_gateway_admin_token';
const NODE_FLAGS = (process.env.GITGATE_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
/** VERBOSE=1 copies the contenders' standard error (gitgate's log) to ours. */
const VERBOSE = process.env.VERBOSE === '1';
const TARGETS = { rpsVsUndici: 1.0, rpsVsNginx: 0.6, p99VsNginx: 2.0, rssMb: 400, swapStallMs: 100 };

interface WrkResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly socketErrors: number;
  /** CPU time (user + system) of the contender's processes per request, in µs: steadier than requests/s on a busy machine. */
  readonly cpuPerRequest: number;
}

const children = new Set<ChildProcess>();
let invalid = false;

async function main(): Promise<void> {
  ensureTools();
  await mkdir(WORK, { recursive: true });
  const wrkVersion = spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '';
  const nginxVersion = spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr.trim();
  console.log(`gitgate bench:gateway: node ${process.version}, ${availableParallelism()} CPUs (load average ${loadavg()[0]!.toFixed(1)}), ${wrkVersion.trim()}, ${nginxVersion}`);
  console.log(`load: wrk -t1 -c50 -d${DUR}s --latency GET ${PATH}, each round after a ${WARMUP}s warm-up; every contender is one process\n`);

  const wanted = new Set((process.env.CONTENDERS ?? 'upstream,nginx,undici,gitgate').split(','));
  const upstreamPort = await freePort();
  const upstream = startNode('upstream', [path.join(PEERS, 'upstream.mjs')], { PORT: String(upstreamPort) });
  await waitForHttp(`http://127.0.0.1:${upstreamPort}${PATH}`, {});

  const contenders: { name: string; url: string; headers: Record<string, string>; pid: number | undefined }[] = [];
  if (wanted.has('upstream')) contenders.push({ name: 'upstream alone', url: `http://127.0.0.1:${upstreamPort}${PATH}`, headers: {}, pid: upstream.pid });
  if (wanted.has('nginx')) {
    const port = await freePort();
    const conf = (await readFile(path.join(PEERS, 'nginx.conf'), 'utf8')).replaceAll('@WORK@', WORK).replaceAll('@UPSTREAM_PORT@', String(upstreamPort)).replaceAll('@PORT@', String(port));
    await writeFile(path.join(WORK, 'nginx.conf'), conf);
    const nginx = start('nginx', 'nginx', ['-e', path.join(WORK, 'nginx.err'), '-c', path.join(WORK, 'nginx.conf')], {});
    contenders.push({ name: 'nginx', url: `http://127.0.0.1:${port}${PATH}`, headers: {}, pid: nginx.pid });
  }
  if (wanted.has('undici')) {
    const port = await freePort();
    const proxy = startNode('undici-proxy', [path.join(PEERS, 'undici-proxy.mjs')], { PORT: String(port), UPSTREAM: `http://127.0.0.1:${upstreamPort}` });
    contenders.push({ name: 'undici proxy', url: `http://127.0.0.1:${port}${PATH}`, headers: {}, pid: proxy.pid });
  }
  let gitgatePid: number | undefined;
  if (wanted.has('gitgate')) {
    const dir = path.join(WORK, 'small');
    await writeSmallRepo(dir, upstreamPort);
    const key = await createConsumerKeys(path.join(WORK, 'small-data'), 0);
    const gitgate = await startGitgate('gitgate', dir, path.join(WORK, 'small-data'));
    gitgatePid = gitgate.child.pid;
    const headers = { authorization: `Bearer ${key}` };
    await checkPolicy(gitgate.url, key);
    contenders.push({ name: 'gitgate (full policy)', url: `${gitgate.url}${PATH}`, headers, pid: gitgatePid });
  }

  // Rounds interleave the contenders, so a load change on the machine hits all of them alike;
  // each column is the median over the rounds.
  const rounds = Math.max(1, Number(process.env.ROUNDS ?? 3));
  const runs = new Map<string, WrkResult[]>(contenders.map((c) => [c.name, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const contender of contenders) {
      await waitForHttp(contender.url, contender.headers);
      // Every round warms its contender up first: each has sat idle while the others ran, and a
      // process that was idle starts slower for a few seconds (all alike).
      runWrk(contender.url, contender.headers, WARMUP);
      const cpuBefore = cpuSeconds(contender.pid);
      const measured = runWrk(contender.url, contender.headers, DUR);
      const result = { ...measured, cpuPerRequest: ((cpuSeconds(contender.pid) - cpuBefore) * 1e6) / measured.requests };
      runs.get(contender.name)!.push(result);
      if (result.non2xx > 0 || result.socketErrors > 0) {
        console.log(`!!! ${contender.name}: ${result.non2xx} non-2xx answers and ${result.socketErrors} socket errors: ${contender.name.startsWith('gitgate') ? 'THE RUN IS INVALID' : 'its numbers are suspect'}`);
        if (contender.name.startsWith('gitgate')) invalid = true;
      }
    }
  }
  const results = new Map([...runs].map(([name, list]) => [name, medianOf(list)]));
  console.log(`${rounds} round${rounds === 1 ? '' : 's'}, requests/s per round: ${[...runs].map(([name, list]) => `${name} ${list.map((r) => fmt(r.rps, 0)).join(' / ')}`).join('; ')}\n`);
  const gitgateRss = gitgatePid === undefined ? undefined : rssMb(gitgatePid);
  printThroughput(results, gitgateRss);
  await stopAll();

  if (process.env.SCALE !== '0' && wanted.has('gitgate')) await scale();
  console.log(`\nload average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (1, 5, 15 min) on ${availableParallelism()} CPUs: above the CPU count, other work shared the machine and absolute numbers are low`);
  if (invalid) {
    console.log('\n!!! INVALID RUN: see the lines marked !!! above');
    process.exitCode = 1;
  }
}

function printThroughput(results: ReadonlyMap<string, WrkResult>, gitgateRss: { rss: number; hwm: number } | undefined): void {
  console.log(`${'contender'.padEnd(24)}${'requests/s'.padStart(12)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}${'non-2xx'.padStart(9)}${'CPU µs/req'.padStart(12)}`);
  for (const [name, r] of results) {
    console.log(`${name.padEnd(24)}${fmt(r.rps, 0).padStart(12)}${fmt(r.p50, 2).padStart(9)}${fmt(r.p99, 2).padStart(9)}${fmt(r.max, 1).padStart(9)}${String(r.non2xx + r.socketErrors).padStart(9)}${fmt(r.cpuPerRequest, 1).padStart(12)}`);
  }
  if (gitgateRss !== undefined) console.log(`gitgate RSS after the run: ${fmt(gitgateRss.rss, 0)} MB (peak ${fmt(gitgateRss.hwm, 0)} MB)`);
  const gitgate = results.get('gitgate (full policy)');
  const nginx = results.get('nginx');
  const undici = results.get('undici proxy');
  const upstream = results.get('upstream alone');
  if (gitgate === undefined) return;
  console.log('');
  if (upstream !== undefined) console.log(`gitgate / upstream alone, requests/s  ${fmt(gitgate.rps / upstream.rps, 2)}x  (for reference)`);
  // Requests/s share two cores with wrk, the upstream and whatever else runs; CPU per request
  // does not: when the two disagree, the machine was busy.
  if (undici !== undefined) console.log(`CPU per request, undici proxy / gitgate ${fmt(undici.cpuPerRequest / gitgate.cpuPerRequest, 2)}x  (for reference: > 1 means gitgate is leaner)`);
  if (nginx !== undefined) console.log(`CPU per request, nginx / gitgate        ${fmt(nginx.cpuPerRequest / gitgate.cpuPerRequest, 2)}x  (for reference)`);
  if (undici !== undefined) verdict('gitgate / undici proxy, requests/s', gitgate.rps / undici.rps, `>= ${TARGETS.rpsVsUndici}x`, gitgate.rps / undici.rps >= TARGETS.rpsVsUndici);
  if (nginx !== undefined) {
    verdict('gitgate / nginx, requests/s', gitgate.rps / nginx.rps, `>= ${TARGETS.rpsVsNginx}x`, gitgate.rps / nginx.rps >= TARGETS.rpsVsNginx);
    verdict('gitgate / nginx, p99 latency', gitgate.p99 / nginx.p99, `<= ${TARGETS.p99VsNginx}x`, gitgate.p99 / nginx.p99 <= TARGETS.p99VsNginx);
  }
}

/** Each figure the median over the rounds; error counts summed. */
function medianOf(list: readonly WrkResult[]): WrkResult {
  const median = (pick: (r: WrkResult) => number) => {
    const sorted = list.map(pick).sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const sum = (pick: (r: WrkResult) => number) => list.reduce((total, r) => total + pick(r), 0);
  return {
    rps: median((r) => r.rps),
    p50: median((r) => r.p50),
    p99: median((r) => r.p99),
    max: median((r) => r.max),
    requests: sum((r) => r.requests),
    non2xx: sum((r) => r.non2xx),
    socketErrors: sum((r) => r.socketErrors),
    cpuPerRequest: median((r) => r.cpuPerRequest),
  };
}

function verdict(label: string, ratio: number, target: string, pass: boolean): void {
  console.log(`${label.padEnd(38)}${fmt(ratio, 2)}x  target ${target}  ${pass ? 'PASS' : 'FAIL'}`);
}

// ---- scale: 10,000 APIs, 100,000 keys, RSS and config swaps under load ----

async function scale(): Promise<void> {
  const apis = Number(process.env.SCALE_APIS ?? 10_000);
  const keyCount = Number(process.env.SCALE_KEYS ?? 100_000);
  const swaps = Number(process.env.SWAPS ?? 3);
  console.log(`\n== scale: ${apis.toLocaleString('en')} APIs, ${keyCount.toLocaleString('en')} keys ==`);
  const upstreamPort = await freePort();
  startNode('upstream', [path.join(PEERS, 'upstream.mjs')], { PORT: String(upstreamPort) });
  const dir = path.join(WORK, 'scale');
  let t = performance.now();
  const repo = await generateSyntheticRepo(dir, { apis });
  await writeBenchResources(path.join(dir, 'bench'), upstreamPort, 10_000_000);
  console.log(`repository: ${repo.files.toLocaleString('en')} files, ${repo.resources.toLocaleString('en')} resources, ${fmt(repo.bytes / 2 ** 20, 1)} MB of YAML (generated in ${ms(t)})`);
  const dataDir = path.join(WORK, 'scale-data');
  const key = await createConsumerKeys(dataDir, keyCount);
  await waitForHttp(`http://127.0.0.1:${upstreamPort}${PATH}`, {});

  t = performance.now();
  const gitgate = await startGitgate('gitgate-scale', dir, dataDir);
  const pid = gitgate.child.pid!;
  console.log(`gitgate serve: ready in ${ms(t)}`);
  const headers = { authorization: `Bearer ${key}` };
  await waitForHttp(`${gitgate.url}${PATH}`, headers);
  await sleep(2000);
  const afterLoad = rssMb(pid);
  const loaded = runWrk(`${gitgate.url}${PATH}`, headers, DUR);
  const afterTraffic = rssMb(pid);
  if (loaded.non2xx > 0 || loaded.socketErrors > 0) {
    console.log(`!!! gitgate at scale: ${loaded.non2xx} non-2xx answers, ${loaded.socketErrors} socket errors: THE RUN IS INVALID`);
    invalid = true;
  }
  console.log(`traffic at scale: ${fmt(loaded.rps, 0)} requests/s, p50 ${fmt(loaded.p50, 2)} ms, p99 ${fmt(loaded.p99, 2)} ms`);

  const swapResults: SwapResult[] = [];
  for (let i = 1; i <= swaps; i++) {
    swapResults.push(await swapUnderLoad(gitgate.url, gitgate.adminUrl, headers, path.join(dir, 'bench'), upstreamPort, 10_000_000 + i));
  }
  const afterSwaps = rssMb(pid);
  console.log('');
  console.log(`${'swap'.padEnd(6)}${'result'.padEnd(10)}${'reload ms'.padStart(11)}${'base p99'.padStart(10)}${'max in swap'.padStart(13)}${'longest gap'.padStart(13)}${'requests'.padStart(10)}${'failed'.padStart(8)}`);
  swapResults.forEach((s, i) => {
    console.log(`${String(i + 1).padEnd(6)}${s.result.padEnd(10)}${fmt(s.reloadMs, 0).padStart(11)}${fmt(s.baselineP99, 2).padStart(10)}${fmt(s.maxInSwap, 1).padStart(13)}${fmt(s.longestGap, 1).padStart(13)}${String(s.requests).padStart(10)}${String(s.failed).padStart(8)}`);
  });
  console.log('');
  console.log(`RSS after load ${fmt(afterLoad.rss, 0)} MB, after traffic ${fmt(afterTraffic.rss, 0)} MB, after swaps ${fmt(afterSwaps.rss, 0)} MB (peak ${fmt(afterSwaps.hwm, 0)} MB)`);
  const steady = Math.max(afterLoad.rss, afterTraffic.rss);
  console.log(`${`RSS with ${apis.toLocaleString('en')} APIs + ${keyCount.toLocaleString('en')} keys`.padEnd(48)}${fmt(steady, 0)} MB  target < ${TARGETS.rssMb} MB  ${steady < TARGETS.rssMb ? 'PASS' : 'FAIL'}`);
  const worst = Math.max(...swapResults.map((s) => s.maxInSwap));
  console.log(`${'worst request latency during a config swap'.padEnd(48)}${fmt(worst, 1)} ms  target <= ${TARGETS.swapStallMs} ms  ${worst <= TARGETS.swapStallMs ? 'PASS' : 'FAIL'}`);
  if (swapResults.some((s) => s.failed > 0 || s.result !== 'applied')) {
    console.log('!!! a swap failed requests or was not applied: THE RUN IS INVALID');
    invalid = true;
  }
  await stopAll();
}

interface SwapResult {
  readonly result: string;
  readonly reloadMs: number;
  readonly baselineP99: number;
  /** Worst latency of a request in flight at any time between the reload call and its answer. */
  readonly maxInSwap: number;
  /** Longest time without any answer during the swap window. */
  readonly longestGap: number;
  readonly requests: number;
  readonly failed: number;
}

/**
 * Keeps SWAP_CONCURRENCY (16) requests in flight, each timed; after 1.5 s of baseline, changes a
 * resource (so the config hash really changes) and POSTs a reload; keeps going 1 s after it answers.
 */
async function swapUnderLoad(url: string, adminUrl: string, headers: Record<string, string>, benchDir: string, upstreamPort: number, limit: number): Promise<SwapResult> {
  const concurrency = Number(process.env.SWAP_CONCURRENCY ?? 16);
  const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
  const starts: number[] = [];
  const ends: number[] = [];
  let failed = 0;
  let stop = false;
  const worker = async () => {
    while (!stop) {
      const start = performance.now();
      try {
        const response = await pool.request({ path: PATH, method: 'GET', headers });
        await response.body.dump();
        if (response.statusCode !== 200) failed++;
      } catch {
        failed++;
      }
      starts.push(start);
      ends.push(performance.now());
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  await sleep(1500);
  const reloadStart = performance.now();
  await writeBenchResources(benchDir, upstreamPort, limit);
  const response = await fetch(`${adminUrl}/api/v1/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const attempt = (await response.json()) as { result?: string };
  const reloadEnd = performance.now();
  await sleep(1000);
  stop = true;
  await Promise.all(workers);
  await pool.close();

  const baseline: number[] = [];
  let maxInSwap = 0;
  const windowEnds: number[] = [];
  for (let i = 0; i < starts.length; i++) {
    const latency = ends[i]! - starts[i]!;
    if (ends[i]! < reloadStart) baseline.push(latency);
    else if (starts[i]! <= reloadEnd) maxInSwap = Math.max(maxInSwap, latency);
    if (ends[i]! >= reloadStart && starts[i]! <= reloadEnd) windowEnds.push(ends[i]!);
  }
  windowEnds.sort((a, b) => a - b);
  let longestGap = 0;
  let previous = reloadStart;
  for (const end of windowEnds) {
    longestGap = Math.max(longestGap, end - previous);
    previous = end;
  }
  baseline.sort((a, b) => a - b);
  return {
    result: attempt.result ?? `HTTP ${response.status}`,
    reloadMs: reloadEnd - reloadStart,
    baselineP99: baseline[Math.floor(baseline.length * 0.99)] ?? NaN,
    maxInSwap,
    longestGap,
    requests: starts.length,
    failed,
  };
}

// ---- gitgate set-up ----

/** One API under /employees whose operation filter allows GET and HEAD only, one group, a limit that never triggers. */
async function writeSmallRepo(dir: string, upstreamPort: number): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await writeBenchResources(dir, upstreamPort, 10_000_000);
}

async function writeBenchResources(dir: string, upstreamPort: number, limit: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, 'employees.yaml'),
    `apiVersion: hub.traefik.io/v1alpha1
kind: API
metadata:
  name: bench-employee-api
  namespace: bench
  labels:
    area: bench
spec:
  pathPrefix: /employees
  service:
    name: bench-employee-app
    port:
      name: http
    openApiSpec:
      path: /openapi.yaml
      operationSets:
        - name: read-only
          matchers:
            - pathPrefix: /employees
              methods: [GET, HEAD]
        - name: write
          matchers:
            - pathPrefix: /employees
              methods: [POST, PUT, DELETE]
---
apiVersion: v1
kind: Service
metadata:
  name: bench-employee-app
  namespace: bench
spec:
  ports:
    - name: http
      port: 8080
      targetPort: 8080
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: bench-employee-app-local
  namespace: bench
  labels:
    kubernetes.io/service-name: bench-employee-app
addressType: IPv4
ports:
  - name: http
    port: ${upstreamPort}
endpoints:
  - addresses: ["127.0.0.1"]
---
apiVersion: hub.traefik.io/v1alpha1
kind: APIAccess
metadata:
  name: bench-readers
spec:
  groups:
    - bench
  apis:
    - name: bench-employee-api
      namespace: bench
  operationFilter:
    include:
      - read-only
---
apiVersion: hub.traefik.io/v1alpha1
kind: APIGateway
metadata:
  name: bench
spec:
  apiAccesses:
    - bench-readers
`,
  );
  await writeFile(
    path.join(dir, 'rate-limit.yaml'),
    `# High enough never to trigger: the bench measures its cost, not its refusals.
apiVersion: hub.traefik.io/v1alpha1
kind: APIRateLimit
metadata:
  name: bench
spec:
  limit: ${limit}
  period: 1s
  groups:
    - bench
  apis:
    - name: bench-employee-api
      namespace: bench
`,
  );
}

const SERVICE_SAMPLE = 2_000;
/** Above this projected time, the keys past the sample are inserted directly. */
const SERVICE_BUDGET_MS = 60_000;

/**
 * The bench consumer (group `bench`) and its key, plus `extra` keys of 1,000 other users made
 * through IdentityService; when that would take more than a minute, the keys past a sample go
 * in with one SQL transaction (same rows, same hashes), and the bench says so.
 */
async function createConsumerKeys(dataDir: string, extra: number): Promise<string> {
  await rm(dataDir, { recursive: true, force: true });
  const store = await openStore({ dataDir });
  const identity = new IdentityService(store.identity);
  const must = <T>(result: { ok: true; value: T } | { ok: false; message: string }): T => {
    if (!result.ok) throw new Error(result.message);
    return result.value;
  };
  must(await identity.addUser('bench@example.com', ['bench']));
  const key = must(await identity.createKey('bench@example.com', 'bench'));
  if (extra === 0) {
    await store.close();
    return key;
  }
  const users = Math.min(1000, extra);
  const groupsOf = (u: number) => [`team-${String(u % 200).padStart(3, '0')}`, u % 3 === 0 ? 'partner' : `${['payments', 'catalog', 'orders'][u % 3]}-readers`];
  let t = performance.now();
  for (let u = 0; u < users; u++) must(await identity.addUser(`user-${u}@example.com`, groupsOf(u)));
  const usersMs = performance.now() - t;
  t = performance.now();
  const sample = Math.min(SERVICE_SAMPLE, extra);
  for (let i = 0; i < sample; i++) must(await identity.createKey(`user-${i % users}@example.com`, `key-${Math.floor(i / users)}`));
  const sampleMs = performance.now() - t;
  const projected = (sampleMs / sample) * extra;
  console.log(`identity: ${users} users via IdentityService in ${fmt(usersMs, 0)} ms; ${sample} keys in ${fmt(sampleMs, 0)} ms (${fmt((sample / sampleMs) * 1000, 0)} keys/s, ${fmt(projected / 1000, 1)} s projected for ${extra.toLocaleString('en')})`);
  if (projected <= SERVICE_BUDGET_MS) {
    t = performance.now();
    for (let i = sample; i < extra; i++) must(await identity.createKey(`user-${i % users}@example.com`, `key-${Math.floor(i / users)}`));
    console.log(`identity: the other ${(extra - sample).toLocaleString('en')} keys via IdentityService in ${ms(t)}`);
    await store.close();
    return key;
  }
  await store.close();
  // Too slow through the service: the same rows, in one transaction, straight into SQLite.
  t = performance.now();
  const db = new SQLite(path.join(dataDir, 'gitgate.db'));
  db.pragma('journal_mode = WAL');
  const insert = db.transaction(() => {
    const seq = Number((db.prepare('UPDATE identity_sequence SET value = value + 1 WHERE id = 1 RETURNING value').get() as { value: number }).value);
    const ids = new Map((db.prepare('SELECT id, email FROM users').all() as { id: number; email: string }[]).map((row) => [row.email, row.id]));
    const row = db.prepare('INSERT INTO api_keys (user_id, name, key_hash, prefix, suspended, created_at, last_used_at, deleted_at, seq) VALUES (?, ?, ?, ?, 0, ?, NULL, NULL, ?)');
    const now = new Date().toISOString();
    for (let i = sample; i < extra; i++) {
      const clear = generateKey();
      row.run(ids.get(`user-${i % users}@example.com`), `key-${Math.floor(i / users)}`, hashKey(clear), clear.slice(0, 8), now, seq);
    }
  });
  insert();
  db.close();
  console.log(`identity: the other ${(extra - sample).toLocaleString('en')} keys inserted with one better-sqlite3 transaction in ${ms(t)} (IdentityService would take ~${fmt(projected / 1000, 0)} s)`);
  return key;
}

async function startGitgate(name: string, dir: string, dataDir: string): Promise<{ child: ChildProcess; url: string; adminUrl: string }> {
  const port = await freePort();
  const adminPort = await freePort();
  const child = startNode(name, [...NODE_FLAGS, CLI, 'serve', '--dir', dir, '--listen', `127.0.0.1:${port}`, '--admin-listen', `127.0.0.1:${adminPort}`, '--data-dir', dataDir], {
    GITGATE_ADMIN_TOKEN: ADMIN_TOKEN,
  });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitForHttp(`${adminUrl}/healthz`, {}, 300_000);
  return { child, url: `http://127.0.0.1:${port}`, adminUrl };
}

/** The policy really runs: no key is 401, POST is outside the operation filter (403), GET carries RateLimit headers. */
async function checkPolicy(url: string, key: string): Promise<void> {
  const noKey = await fetch(`${url}${PATH}`);
  const post = await fetch(`${url}${PATH}`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: '{}' });
  const get = await fetch(`${url}${PATH}`, { headers: { authorization: `Bearer ${key}` } });
  await Promise.all([noKey.arrayBuffer(), post.arrayBuffer(), get.arrayBuffer()]);
  const ok = noKey.status === 401 && post.status === 403 && get.status === 200 && get.headers.get('ratelimit-limit') === '10000000';
  console.log(`gitgate policy check: no key ${noKey.status}, POST ${post.status}, GET ${get.status} with RateLimit-Limit ${get.headers.get('ratelimit-limit')}: ${ok ? 'ok' : 'WRONG'}\n`);
  if (!ok) {
    console.log('!!! gitgate does not enforce the bench policy: THE RUN IS INVALID');
    invalid = true;
  }
}

// ---- processes, tools, wrk ----

function ensureTools(): void {
  const missing = ['nginx', 'wrk'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  if (missing.length === 0) return;
  console.log(`installing ${missing.join(' and ')} from Debian (apt-get install -y nginx-light wrk)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'nginx-light', 'wrk']]) {
    const run = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (run.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${run.status}): install nginx-light and wrk, then run again`);
  }
}

function start(name: string, command: string, args: readonly string[], env: Record<string, string>): ChildProcess {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
    if (VERBOSE) process.stderr.write(chunk.toString().replace(/^(?=.)/gm, `[${name}] `));
  });
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (!stopping.has(child)) {
      console.log(`!!! ${name} exited early (${signal ?? `exit ${code}`}):\n${stderr}`);
      invalid = true;
    }
  });
  children.add(child);
  return child;
}

function startNode(name: string, args: readonly string[], env: Record<string, string>): ChildProcess {
  return start(name, process.execPath, args, env);
}

const stopping = new Set<ChildProcess>();

/** SIGTERM (gitgate closes cleanly and writes a --cpu-prof profile), SIGKILL after 10 s. */
async function stopAll(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          stopping.add(child);
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, headers: Record<string, string>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = String((error as Error).cause ?? error);
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s (${last})`);
}

/** User + system CPU seconds of a process and its descendants (nginx: master and worker). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return NaN;
  // Fields after the command (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let seconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  const children = existsSync(`/proc/${pid}/task/${pid}/children`) ? readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim() : '';
  for (const child of children === '' ? [] : children.split(' ')) seconds += cpuSeconds(Number(child));
  return seconds;
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

function runWrk(url: string, headers: Record<string, string>, seconds: number): Omit<WrkResult, 'cpuPerRequest'> {
  const args = ['-t1', '-c50', `-d${seconds}s`, '--latency', ...Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]), url];
  const run = spawnSync('wrk', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`wrk failed: ${run.stderr}`);
  return parseWrk(run.stdout);
}

export function parseWrk(out: string): Omit<WrkResult, 'cpuPerRequest'> {
  const latency = (label: string) => {
    const match = new RegExp(`^\\s*${label}\\s+([0-9.]+)(us|ms|s)\\b`, 'm').exec(out);
    if (match === null) return NaN;
    return Number(match[1]) * ({ us: 0.001, ms: 1, s: 1000 } as const)[match[2] as 'us' | 'ms' | 's'];
  };
  const maxMatch = /^\s*Latency\s+\S+\s+\S+\s+([0-9.]+)(us|ms|s)/m.exec(out);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(/Requests\/sec:\s+([0-9.]+)/.exec(out)?.[1] ?? NaN),
    p50: latency('50%'),
    p99: latency('99%'),
    max: maxMatch === null ? NaN : Number(maxMatch[1]) * ({ us: 0.001, ms: 1, s: 1000 } as const)[maxMatch[2] as 'us' | 'ms' | 's'],
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0),
  };
}

/** VmRSS and VmHWM (peak) of a process, in MB. */
function rssMb(pid: number): { rss: number; hwm: number } {
  if (!existsSync(`/proc/${pid}/status`)) return { rss: NaN, hwm: NaN };
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

function fmt(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';
}

function ms(since: number): string {
  return `${fmt(performance.now() - since, 0)} ms`;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(130);
  });
}

main().catch(async (error: unknown) => {
  console.error(`bench:gateway failed: ${(error as Error).stack ?? String(error)}`);
  await stopAll();
  process.exitCode = 1;
});
