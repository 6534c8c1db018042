import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  cleanup,
  createConsumers,
  send,
  sleep,
  startCliGateway,
  startEchoUpstream,
  tempDir,
  writeResources,
  yaml,
  type CliGateway,
  type ConsumerKey,
} from '../helpers/gateway-fixtures.js';
import { startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';

// Issue 3, Telemetry: the metrics "exposed in Prometheus format at /metrics on the admin
// listener", read by a real Prometheus (Debian's) that scrapes `gitgate serve` every second and
// answers PromQL over them: the exposition parses, every label arrives, the histogram works.

const ADMIN_TOKEN = 'gga_prometheus-test-admin-token';
let serve: CliGateway;
let prometheus: PrometheusServer;
let who: Record<'alice' | 'bob', ConsumerKey>;
let revision = '';

beforeAll(async () => {
  const up = await startEchoUpstream('prom');
  const dir = await tempDir('prom-res');
  const dataDir = await tempDir('prom-data');
  await writeResources(dir, [
    ...yaml.backend('app', [up.port]),
    yaml.api({ name: 'orders', pathPrefix: '/orders', service: 'app' }),
    yaml.access({ name: 'members', groups: ['member'], apis: ['orders'] }),
    yaml.gateway('main', ['members']),
  ]);
  who = await createConsumers(dataDir, { alice: ['member'], bob: ['outsider'] });
  serve = await startCliGateway(['--dir', dir, '--data-dir', dataDir, '--no-portal'], { GITGATE_ADMIN_TOKEN: ADMIN_TOKEN });
  revision = ((await admin(serve.admin, ADMIN_TOKEN, 'GET', '/api/v1/status')).json as { applied: { revision: string } }).applied.revision;
  prometheus = await startPrometheus(serve.admin);
}, 60_000);

afterAll(cleanup);

/** Polls a query until its vector satisfies `done` (scrapes come every second). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  let value = await read();
  for (const until = Date.now() + timeoutMs; !done(value) && Date.now() < until; ) {
    await sleep(250);
    value = await read();
  }
  return value;
}

describe('a real Prometheus scraping gitgate serve', () => {
  it('scrapes /metrics without an error', async () => {
    const targets = await eventually(() => prometheus.targets(), (list) => list.length > 0 && list[0]!.health === 'up');
    expect(targets).toHaveLength(1);
    expect(targets[0]).toMatchObject({ health: 'up', lastError: '' });
    expect(targets[0]!.scrapeUrl).toBe(`http://127.0.0.1:${serve.admin.port}/metrics`);
  }, 30_000);

  it('answers PromQL over the request counter with every label', async () => {
    for (let i = 0; i < 3; i++) expect((await send(serve.gateway, { path: '/orders/7', key: who.alice.key })).status).toBe(200);
    expect((await send(serve.gateway, { path: '/orders/7' })).status).toBe(401);
    expect((await send(serve.gateway, { path: '/orders/7', key: who.bob.key })).status).toBe(403);
    const byCode = await eventually(
      () => prometheus.query('sum by (code) (gitgate_requests_total{api_name="apps/orders"})'),
      (result) => result.length === 3,
    );
    expect(Object.fromEntries(byCode.map((r) => [r.metric.code, Number(r.value[1])]))).toEqual({ '200': 3, '401': 1, '403': 1 });
    const alice = await prometheus.query('gitgate_requests_total{code="200"}');
    expect(alice).toHaveLength(1);
    // Prometheus keeps no label with an empty value: an API without versions has no api_version_name.
    expect(alice[0]!.metric.api_version_name).toBeUndefined();
    expect(alice[0]!.metric).toMatchObject({
      job: 'gitgate',
      api_name: 'apps/orders',
      method: 'GET',
      email: 'alice@example.com',
      token_name: 'main',
      revision,
    });
  }, 30_000);

  it('has a duration histogram Prometheus can take quantiles of', async () => {
    const count = await eventually(
      () => prometheus.query('sum(gitgate_request_duration_seconds_count{api_name="apps/orders",code="200"})'),
      (result) => result.length === 1 && Number(result[0]!.value[1]) === 3,
    );
    expect(Number(count[0]!.value[1])).toBe(3);
    const quantile = await prometheus.query('histogram_quantile(0.99, sum by (le) (gitgate_request_duration_seconds_bucket{api_name="apps/orders"}))');
    expect(quantile).toHaveLength(1);
    const seconds = Number(quantile[0]!.value[1]);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(10);
  }, 30_000);
});
