import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, defer, send, startEchoUpstream, tempDir, type Upstream } from '../helpers/gateway-fixtures.js';
import { allDeployments, brokenApi, Remote, seedKey, site, startControl, waitAttempt, waitServed, type ControlPlane } from '../helpers/git-fixtures.js';

// Issue 4, acceptance: "Under an in-test load loop, 50 pushes alternating good and bad commits
// cause no failed request, and each good one is served within the interval." Ten keep-alive
// clients loop on /app while the pushes land; every bad commit also moves /app to the `poison`
// upstream, so a bad revision that leaked into traffic would show.

const INTERVAL_MS = 500;
/** Slack over the interval for fetch, build and apply on a busy 2-core machine. */
const TOLERANCE_MS = 1000;
const PUSHES = 50;
const CLIENTS = 10;
let a: Upstream;
let b: Upstream;
let poison: Upstream;
let remote: Remote;
let key = '';
let control: ControlPlane;

beforeAll(async () => {
  [a, b, poison] = await Promise.all([startEchoUpstream('a'), startEchoUpstream('b'), startEchoUpstream('poison')]);
  remote = await Remote.create('load');
  await remote.publish({ 'resources.yaml': site({ '/app': a, '/v0': a }) });
  const dataDir = await tempDir('load-data');
  key = await seedKey(dataDir);
  control = await startControl({ url: remote.bare, dataDir, intervalMs: INTERVAL_MS });
});

afterAll(cleanup);

describe('pushes under load', () => {
  it(`${PUSHES} pushes alternating good and bad, ${CLIENTS} clients looping: no failed request, each good one served within the interval + ${TOLERANCE_MS} ms`, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    defer(() => agent.destroy());
    const seen = new Map<string, number>();
    const failures: string[] = [];
    let requests = 0;
    let stop = false;
    const client = async () => {
      while (!stop) {
        try {
          const answer = await send(control.gateway, { path: '/app/x', key, agent });
          requests++;
          const upstream = (answer.json as { upstream?: string } | undefined)?.upstream;
          if (answer.status !== 200 || upstream === undefined) failures.push(`${answer.status} ${answer.text.slice(0, 200)}`);
          else seen.set(upstream, (seen.get(upstream) ?? 0) + 1);
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, client);

    const served: number[] = [];
    const good: string[] = [];
    const bad: string[] = [];
    const broken = brokenApi();
    const started = performance.now();
    try {
      for (let i = 1; i <= PUSHES; i++) {
        if (i % 2 === 1) {
          // Good: /app alternates between a and b, and /v<i> appears.
          const sha = await remote.commit({ 'resources.yaml': site({ '/app': i % 4 === 1 ? b : a, [`/v${i}`]: a }) }, { remove: ['broken.yaml'], message: `good ${i}` });
          const pushed = performance.now();
          await remote.push();
          await waitServed(control.gateway, `/v${i}/x`, key, 'a', INTERVAL_MS + TOLERANCE_MS + 3000);
          served.push(performance.now() - pushed);
          good.push(sha);
        } else {
          const sha = await remote.publish({ 'resources.yaml': site({ '/app': poison, [`/v${i}`]: poison }), 'broken.yaml': broken.text }, { message: `bad ${i}` });
          const attempt = await waitAttempt(control.admin, sha, INTERVAL_MS + TOLERANCE_MS + 3000);
          expect(attempt.result).toBe('rejected');
          bad.push(sha);
        }
      }
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    const elapsed = performance.now() - started;
    const sorted = [...served].sort((x, y) => x - y);
    console.log(
      `[control-load] ${PUSHES} pushes in ${Math.round(elapsed)} ms, ${requests} requests; push → served: median ${Math.round(sorted[sorted.length >> 1]!)} ms, max ${Math.round(sorted[sorted.length - 1]!)} ms`,
    );

    expect(failures.slice(0, 5)).toEqual([]);
    expect(seen.get('poison') ?? 0).toBe(0);
    expect(seen.get('a') ?? 0).toBeGreaterThan(0);
    expect(seen.get('b') ?? 0).toBeGreaterThan(0);
    expect(requests).toBeGreaterThan(PUSHES * CLIENTS);
    expect(served).toHaveLength(PUSHES / 2);
    expect(Math.max(...served)).toBeLessThan(INTERVAL_MS + TOLERANCE_MS);

    // Every push recorded once, with the right result.
    const deployments = await allDeployments(control.admin);
    for (const sha of good) expect(deployments.filter((d) => d.revision === sha).map((d) => d.result)).toEqual(['applied']);
    for (const sha of bad) expect(deployments.filter((d) => d.revision === sha).map((d) => d.result)).toEqual(['rejected']);
  }, 60_000);
});
