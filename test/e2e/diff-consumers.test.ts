import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { refusedBy, type UsageData } from '../../src/analyzer/index.js';
import { MemoryBucketStore } from '../../src/gateway/index.js';
import { IdentityService } from '../../src/identity/index.js';
import type { RateLimitConfig } from '../../src/policy/index.js';
import { cleanup, send, startEchoUpstream, tempDir, toYaml, yaml, type Doc, type Upstream } from '../helpers/gateway-fixtures.js';
import { ADMIN_TOKEN, api, Remote, startControl, waitFor, type ControlPlane } from '../helpers/git-fixtures.js';
import { seededRandom } from '../helpers/seeded-random.js';
import { checked, diff, diffJson, Repo } from './diff-fixtures.js';

// Issue 5, "consumers": a real control plane (startServe following a git repository) serves
// real traffic with real keys; its usage (flushed every 10 s) is read by `gitgate diff --usage`,
// which lists who called what a change affects and replays their per-second counts through a
// lowered rate limit. The replay is checked against refusedBy on the endpoint's own seconds and
// against the count a hand computation gives, and refusedBy against the gateway's bucket.

// Each run of the CLI is a Node process (~0.5 s, more on a busy machine); some tests make ten.
vi.setConfig({ testTimeout: 60_000 });

let shop: Upstream;
let remote: Remote;
let control: ControlPlane;
let before = '';
let after = '';
const keys: Record<'alice' | 'bob' | 'carol', string> = { alice: '', bob: '', carol: '' };

/** Three APIs on one backend: buyers call orders (limited) and billing; browsers call the catalog. */
function resources(change: { billingForBuyers: boolean; ordersLimit: { limit: number; period: string } }): string {
  const docs: Doc[] = [
    ...yaml.backend('shop', [shop.port]),
    yaml.api({ name: 'orders', pathPrefix: '/orders', service: 'shop' }),
    yaml.api({ name: 'billing', pathPrefix: '/billing', service: 'shop' }),
    yaml.api({ name: 'catalog', pathPrefix: '/catalog', service: 'shop' }),
    yaml.access({ name: 'buyers', groups: ['buyers'], apis: change.billingForBuyers ? ['orders', 'billing'] : ['orders'] }),
    yaml.access({ name: 'browsers', groups: ['browsers'], apis: ['catalog'] }),
    yaml.rateLimit({ name: 'buyers-orders', groups: ['buyers'], apis: ['orders'], ...change.ordersLimit }),
    yaml.gateway('main', ['buyers', 'browsers']),
  ];
  return toYaml(docs);
}

interface UsageAnswer {
  items: UsageData['hourly'];
  seconds?: UsageData['seconds'];
}

const BILLING_GONE = ['API removed', 'access revoked for group buyers', 'route /billing removed'];
const TRAFFIC = { aliceOrders: 20, aliceBilling: 4, bobBilling: 5, carolCatalog: 3 };
const TOTAL = Object.values(TRAFFIC).reduce((a, b) => a + b, 0);

beforeAll(async () => {
  shop = await startEchoUpstream('shop');
  remote = await Remote.create('diff-usage');
  before = await remote.publish({ 'resources.yaml': resources({ billingForBuyers: true, ordersLimit: { limit: 100, period: '1m' } }) });
  control = await startControl({ url: remote.bare, dataDir: await tempDir('diff-usage-data'), intervalMs: 60_000 });

  const identity = new IdentityService(control.serve.store.identity);
  for (const [who, group] of [['alice', 'buyers'], ['bob', 'buyers'], ['carol', 'browsers']] as const) {
    const added = await identity.addUser(`${who}@shop.example`, [group]);
    if (!added.ok) throw new Error(`addUser ${who}: ${JSON.stringify(added)}`);
    const key = await identity.createKey(`${who}@shop.example`, `${who}-laptop`);
    if (!key.ok) throw new Error(`createKey ${who}: ${JSON.stringify(key)}`);
    keys[who] = key.value;
  }
  // The gateway's key index follows the store within a second.
  for (const [who, path] of [['alice', '/orders/warmup'], ['bob', '/billing/warmup'], ['carol', '/catalog/warmup']] as const) {
    await waitFor(`${who}'s key`, async () => ((await send(control.gateway, { path, key: keys[who] })).status === 200 ? true : undefined), 5000, 50);
  }
  // Real traffic, all of it allowed today (100 per minute on orders).
  const calls: [string, string, number][] = [
    [keys.alice, '/orders/', TRAFFIC.aliceOrders],
    [keys.alice, '/billing/', TRAFFIC.aliceBilling],
    [keys.bob, '/billing/', TRAFFIC.bobBilling],
    [keys.carol, '/catalog/', TRAFFIC.carolCatalog],
  ];
  for (const [key, prefix, count] of calls) {
    for (let i = 0; i < count; i++) expect((await send(control.gateway, { path: `${prefix}${i}`, key })).status).toBe(200);
  }
  // The change under review: the orders limit 100/1m → 3/1h for buyers, billing revoked for them.
  after = await remote.commit({ 'resources.yaml': resources({ billingForBuyers: false, ordersLimit: { limit: 3, period: '1h' } }) });
  // Wait once for the recorder's flush (every 10 s): until every request (warm-ups included) is in the store.
  await waitFor(
    'the usage flush',
    async () => {
      const body = (await api(control.admin, 'GET', '/api/v1/usage')).json as UsageAnswer;
      const total = body.items.reduce((n, row) => n + row.requests, 0);
      return total >= TOTAL + 3 ? true : undefined;
    },
    25_000,
    500,
  );
}, 60_000);

afterAll(cleanup);

function usageUrl(): string {
  return `http://127.0.0.1:${control.admin.port}/api/v1/usage`;
}

describe('gitgate diff --usage', () => {
  it('lists the consumers (email, key) who called what the change affects, with request counts and refusals replayed per second', async () => {
    const repo = new Repo(remote.work);
    const run = await diffJson(repo, ['--usage', usageUrl(), `${before}..${after}`], { env: { GITGATE_ADMIN_TOKEN: ADMIN_TOKEN } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { report } = run;
    expect(report.consumers).toEqual([
      // Nobody else may call billing: its route and the API go too.
      { email: 'alice@shop.example', keyName: 'alice-laptop', api: 'apps/billing', requests: TRAFFIC.aliceBilling, reasons: BILLING_GONE },
      {
        email: 'alice@shop.example',
        keyName: 'alice-laptop',
        api: 'apps/orders',
        requests: TRAFFIC.aliceOrders + 1, // + the warm-up request
        reasons: ['rate limit decreased for group buyers'],
        refusedByNewLimit: expect.any(Number),
      },
      { email: 'bob@shop.example', keyName: 'bob-laptop', api: 'apps/billing', requests: TRAFFIC.bobBilling + 1, reasons: BILLING_GONE },
    ]);
    // carol only called the catalog, which the change does not touch.
    expect(JSON.stringify(report.consumers)).not.toContain('carol');

    const refused = report.consumers!.find((c) => c.api === 'apps/orders')!.refusedByNewLimit!;
    expect(refused).toBeGreaterThan(0);
    // By hand: 21 requests within a few seconds, a bucket of 3 that refills one token every
    // 20 minutes: 3 pass, 18 are refused.
    expect(refused).toBe(TRAFFIC.aliceOrders + 1 - 3);
    // With refusedBy on the endpoint's own per-second rows for alice on orders.
    const body = (await api(control.admin, 'GET', '/api/v1/usage?seconds=1')).json as UsageAnswer;
    const seconds = (body.seconds ?? []).filter((s) => s.api === 'apps/orders' && s.email === 'alice@shop.example' && s.keyName === 'alice-laptop');
    expect(seconds.reduce((n, s) => n + s.requests, 0)).toBe(TRAFFIC.aliceOrders + 1);
    expect(refusedBy({ name: 'buyers-orders', limit: 3, period: '1h' }, seconds, 3_600_000)).toBe(refused);

    const g = report.gateways[0]!;
    expect(g.rateLimits).toEqual([{ group: 'buyers', api: 'apps/orders', before: { name: 'buyers-orders', limit: 100, period: '1m' }, after: { name: 'buyers-orders', limit: 3, period: '1h' } }]);
    expect(g.access.revoked).toEqual([{ group: 'buyers', api: 'apps/billing', operations: ['*'] }]);
    expect(report.risk.level).toBe('high');
    expect(report.risk.reason).toContain('2 consumer keys called what changes');
  });

  it('shows them in the markdown and text reports', async () => {
    const repo = new Repo(remote.work);
    const env = { GITGATE_ADMIN_TOKEN: ADMIN_TOKEN };
    const markdown = await diff(repo, ['--format', 'markdown', '--usage', usageUrl(), `${before}..${after}`], { env });
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain('## Consumers');
    expect(markdown.stdout).toContain(`| alice@shop.example | alice-laptop | apps/orders | ${TRAFFIC.aliceOrders + 1} | ${TRAFFIC.aliceOrders + 1 - 3} | rate limit decreased for group buyers |`);
    const text = await diff(repo, ['--format', 'text', '--usage', usageUrl(), `${before}..${after}`], { env });
    expect(text.stdout).toContain(`consumer alice@shop.example (alice-laptop) on apps/orders: ${TRAFFIC.aliceOrders + 1} requests, ${TRAFFIC.aliceOrders + 1 - 3} refused by the new limit`);
  });

  it('without --usage, consumers is null', async () => {
    const run = await diffJson(new Repo(remote.work), [`${before}..${after}`]);
    expect(run.report.consumers).toBeNull();
  });

  it('exits 2 with one line when the endpoint refuses the token or is not the usage endpoint', async () => {
    const repo = new Repo(remote.work);
    const noToken = await diff(repo, ['--usage', usageUrl(), `${before}..${after}`], { env: { GITGATE_ADMIN_TOKEN: 'wrong' } });
    expect(noToken.code).toBe(2);
    expect(noToken.stdout).toBe('');
    expect(noToken.stderr).toMatch(/^gitgate: [^\n]*401[^\n]*GITGATE_ADMIN_TOKEN[^\n]*\n$/);
    const status = await diff(repo, ['--usage', `http://127.0.0.1:${control.admin.port}/api/v1/status`, `${before}..${after}`], { env: { GITGATE_ADMIN_TOKEN: ADMIN_TOKEN } });
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/^gitgate: [^\n]*not a usage answer\n$/);
  });

  it('every run above left the repository untouched', () => {
    expect(checked.runs).toBeGreaterThanOrEqual(5);
  });
});

describe('refusedBy agrees with the gateway’s token bucket on whole-second traffic', () => {
  it.each([
    [5, 60_000],
    [3, 10_000],
    [10, 1_000],
    [100, 60_000],
    [7, 3_600_000],
  ])('limit %i per %i ms', (limit, periodMs) => {
    const next = seededRandom(limit * 7919 + periodMs);
    const config: RateLimitConfig = { name: 'new', limit, periodMs, period: `${periodMs}ms`, strategy: 'local' };
    for (let trial = 0; trial < 20; trial++) {
      const buckets = new MemoryBucketStore(3_600_000);
      const t0 = 1_800_000_000;
      const seconds: { second: number; requests: number }[] = [];
      let second = t0;
      let gatewayRefused = 0;
      for (let i = 0; i < 40; i++) {
        second += 1 + Math.floor(next() * (periodMs / 1000 / Math.max(1, limit)) * 3);
        const requests = Math.floor(next() * limit * 1.5);
        seconds.push({ second, requests });
        // The gateway sees the second's requests at its start: the replay's own model of them.
        for (let r = 0; r < requests; r++) if (!buckets.take('consumer\0api', config, second * 1000).allowed) gatewayRefused++;
      }
      buckets.close();
      expect(refusedBy({ name: 'new', limit, period: config.period }, seconds, periodMs), `trial ${trial}`).toBe(gatewayRefused);
    }
  });
});

