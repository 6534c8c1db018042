import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup } from '../helpers/gateway-fixtures.js';
import { checked, createScenario, DEPLOY, diffJson, FILES, gatewayOf, limit, position, route, type RateLimitJson, type ReportJson, type Scenario } from './diff-fixtures.js';

// Issue 5: what `gitgate diff --format json A..B` reports for each kind of change, on a real git
// repository whose first commit is the airlines example (in deploy/). Every run also checks that
// the repository is left byte for byte as it was (diff-fixtures.ts `diff`).

// Each run of the CLI is a Node process (~0.5 s, more on a busy machine); some tests make ten.
vi.setConfig({ testTimeout: 60_000 });

let s: Scenario;

beforeAll(async () => {
  s = await createScenario('diff-cases');
}, 60_000);

afterAll(cleanup);

async function report(base: string, head: string): Promise<ReportJson> {
  const run = await diffJson(s.repo, ['--path', DEPLOY, '--fail-on', 'lint-error', `${base}..${head}`]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run.report;
}

const EMPTY_ROUTES = { added: [], removed: [], changed: [] };
const EMPTY_ACCESS = { granted: [], revoked: [] };
const EMPTY_APIS = { added: [], removed: [], changed: [] };

describe('a commit that only changes the period of a rate limit (fallback 100/1m → 100/30s)', () => {
  const before = limit('fallback-ratelimit', 100, '1m');
  const after = limit('fallback-ratelimit', 100, '30s');
  /**
   * Every group/API pair the anyGroups fallback governs: groups with access and no limit of
   * their own (admin everywhere, partner on flights; crm-user and support have theirs), and
   * "any consumer" on world-time-api, the one API an anyGroups access (public-time) grants.
   */
  const pairs: RateLimitJson[] = [
    { group: 'admin', api: 'apps/customer-api', before, after },
    { group: 'admin', api: 'apps/employee-api', before, after },
    { group: 'admin', api: 'apps/flight-api', before, after },
    { group: 'partner', api: 'apps/flight-api', before, after },
    { group: 'admin', api: 'apps/ticket-api', before, after },
    { group: '*', api: 'apps/world-time-api', before, after },
    { group: 'admin', api: 'apps/world-time-api', before, after },
  ];

  it('lists every affected group/API pair with before and after as {name, limit, period}, and nothing else', async () => {
    const r = await report(s.base, s.period);
    expect(r.base).toBe(s.base);
    expect(r.head).toBe(s.period);
    expect(r.gateways.map((g) => g.name)).toEqual(['api-gateway']);
    const g = gatewayOf(r);
    for (const pair of pairs) expect(g.rateLimits).toContainEqual(pair);
    // Groups with a limit of their own are not governed by the fallback.
    expect(g.rateLimits.filter((x) => x.group === 'crm-user' || x.group === 'support')).toEqual([]);
    for (const row of g.rateLimits) expect(row).toMatchObject({ before, after });
    expect({ routes: g.routes, access: g.access, apis: g.apis }).toEqual({ routes: EMPTY_ROUTES, access: EMPTY_ACCESS, apis: EMPTY_APIS });
    expect(r.lint).toEqual({ introduced: [], fixed: [] });
    expect(r.consumers).toBeNull();
    // 100 per 30 s is more than 100 per minute: a raise, low risk.
    expect(r.summary).toMatch(/^This change raises \d+ rate limits\.$/);
    expect(r.risk.level).toBe('low');
  });

  it('lists "any consumer" (*) only on APIs an anyGroups access grants: no one else is governed by it', async () => {
    // On employee-api only crm-user and admin may call: a `*` row there describes no consumer.
    const g = gatewayOf(await report(s.base, s.period));
    expect(g.rateLimits).toEqual(pairs);
  });
});

describe('a commit that removes an APIAccess from the gateway (crm-all)', () => {
  it('revokes access per group and API, and removes the routes only that access made (the /crm collection)', async () => {
    const r = await report(s.period, s.removeAccess);
    const g = gatewayOf(r);
    expect(g.access).toEqual({
      granted: [],
      revoked: [
        { group: 'crm-user', api: 'apps/customer-api', operations: ['*'] },
        { group: 'crm-user', api: 'apps/employee-api', operations: ['*'] },
      ],
    });
    expect(g.routes).toEqual({
      added: [],
      removed: [
        route('/crm/customers', 'apps/customer-api', 'v1'),
        route('/crm/customers', 'apps/customer-api', 'v4', ['header version=4']),
        route('/crm/customers', 'apps/customer-api', 'v3', ['query v=3']),
        route('/crm/customers/v2', 'apps/customer-api', 'v2'),
        route('/crm/employees', 'apps/employee-api'),
      ],
      changed: [],
    });
    // Both APIs are still served (admins reach them at /customers and /employees).
    expect(g.apis).toEqual(EMPTY_APIS);
    expect(g.rateLimits).toEqual([]);
    expect(r.lint.introduced.map((d) => `${d.rule} ${d.severity} ${d.file}`)).toEqual([`orphan warning ${FILES.access}`]);
    expect(r.risk).toEqual({ level: 'high', reason: '2 accesses revoked, 5 routes removed' });
  });
});

describe('an API rename', () => {
  it('world-time-api → time-api at /time: one route removed, one added; the API removed and added; access moves with it', async () => {
    const r = await report(s.removeAccess, s.rename);
    const g = gatewayOf(r);
    expect(g.routes).toEqual({ added: [route('/time', 'apps/time-api')], removed: [route('/world-time', 'apps/world-time-api')], changed: [] });
    expect(g.apis).toEqual({ added: ['apps/time-api'], removed: ['apps/world-time-api'], changed: [] });
    expect(g.access).toEqual({
      granted: [
        { group: '*', api: 'apps/time-api', operations: ['*'] },
        { group: 'admin', api: 'apps/time-api', operations: ['*'] },
      ],
      revoked: [
        { group: '*', api: 'apps/world-time-api', operations: ['*'] },
        { group: 'admin', api: 'apps/world-time-api', operations: ['*'] },
      ],
    });
    expect(r.lint).toEqual({ introduced: [], fixed: [] });
    expect(r.risk.level).toBe('high');
  });

  it('a rename lowers no rate limit: the new API gets the limits the old one had', async () => {
    // `none → fallback` on an API that did not exist before slows down nobody.
    const r = await report(s.removeAccess, s.rename);
    expect(r.summary).not.toMatch(/lowers/);
    const lowered = gatewayOf(r).rateLimits.filter((x) => x.before !== null && x.after !== null && x.after.limit < x.before.limit);
    expect(lowered).toEqual([]);
  });

  it('ticket-api → tickets-api at the same /tickets: the route is changed (same path, another API), the API removed and added', async () => {
    const r = await report(s.rename, s.renameSamePath);
    const g = gatewayOf(r);
    expect(g.routes).toEqual({
      added: [],
      removed: [],
      changed: [{ hosts: ['*'], pathPrefix: '/tickets', conditions: [], before: { api: 'apps/ticket-api', version: null }, after: { api: 'apps/tickets-api', version: null } }],
    });
    expect(g.apis).toEqual({ added: ['apps/tickets-api'], removed: ['apps/ticket-api'], changed: [] });
    expect(g.access.revoked).toEqual([
      { group: 'admin', api: 'apps/ticket-api', operations: ['*'] },
      { group: 'support', api: 'apps/ticket-api', operations: ['read-only'] },
    ]);
    expect(g.access.granted).toEqual([
      { group: 'admin', api: 'apps/tickets-api', operations: ['*'] },
      { group: 'support', api: 'apps/tickets-api', operations: ['read-only'] },
    ]);
  });
});

describe('lint introduced and fixed', () => {
  it('a commit that breaks a reference introduces a `reference` error at its file and line', async () => {
    const run = await diffJson(s.repo, ['--path', DEPLOY, `${s.renameSamePath}..${s.breakRef}`]);
    expect(run.code).toBe(1); // --fail-on defaults to lint-error
    const at = position(await s.repo.git('show', `${s.breakRef}:${FILES.access}`), 'name: flight-apj');
    const reference = run.report.lint.introduced.filter((d) => d.rule === 'reference');
    expect(reference).toEqual([
      {
        rule: 'reference',
        severity: 'error',
        message: expect.stringContaining('apps/flight-apj'),
        file: FILES.access, // named from the repository root, as the pull request names it
        line: at.line,
        column: at.column,
        resource: { kind: 'APIAccess', name: 'partner-bookings' },
        field: 'spec.apis[0]',
      },
    ]);
    expect(run.report.lint.fixed).toEqual([]);
    // The access that named the missing API grants nothing any more.
    expect(gatewayOf(run.report).access.revoked).toEqual([{ group: 'partner', api: 'apps/flight-api', operations: ['bookings', 'read-only'] }]);
    expect(run.report.risk.level).toBe('high');
    expect(run.report.risk.reason).toMatch(/lint error/);
  });

  it('the commit that fixes it lists the same error as fixed, at its place in the base revision', async () => {
    const r = await report(s.breakRef, s.fixRef);
    const at = position(await s.repo.git('show', `${s.breakRef}:${FILES.access}`), 'name: flight-apj');
    expect(r.lint.introduced).toEqual([]);
    expect(r.lint.fixed.filter((d) => d.rule === 'reference')).toEqual([
      expect.objectContaining({ rule: 'reference', severity: 'error', file: FILES.access, line: at.line, column: at.column }),
    ]);
    expect(gatewayOf(r).access).toEqual({ granted: [{ group: 'partner', api: 'apps/flight-api', operations: ['bookings', 'read-only'] }], revoked: [] });
    expect(r.summary).toMatch(/fixes \d+ lint findings/);
  });

  it('across both commits nothing is introduced or fixed', async () => {
    const r = await report(s.renameSamePath, s.fixRef);
    expect(r.lint).toEqual({ introduced: [], fixed: [] });
    expect(r.gateways).toEqual([]);
    expect(r.summary).toBe('This change does not change what the gateways serve.');
    expect(r.risk).toEqual({ level: 'low', reason: 'no change to what is served' });
  });
});

describe('a version added to a versioned API', () => {
  it('adds a route with its header and query conditions, and changes the API’s versions', async () => {
    const r = await report(s.fixRef, s.version);
    const g = gatewayOf(r);
    expect(g.routes).toEqual({ added: [route('/customers', 'apps/customer-api', 'v5', ['header version=5', 'query v=5'])], removed: [], changed: [] });
    expect(g.apis).toEqual({ added: [], removed: [], changed: [{ api: 'apps/customer-api', changes: ['versions'] }] });
    expect(g.access).toEqual(EMPTY_ACCESS);
    expect(g.rateLimits).toEqual([]);
    expect(r.lint).toEqual({ introduced: [], fixed: [] });
  });
});

it('every run above left the repository untouched', () => {
  expect(checked.runs).toBeGreaterThanOrEqual(10);
});
