import { describe, expect, it } from 'vitest';
import { affectedConsumers, type UsageData } from './consumers.js';
import type { GatewayImpact, LimitView, RateLimitChange, RouteView } from './types.js';
import { refusedBy } from './usage-replay.js';

// affectedConsumers matches usage (per hour, API, operation set, consumer, key; and per second,
// API, consumer, key) against what a change does. Usage does not record the group through which
// a call was granted, so a change for one group is matched by API (and operation set).

const HOUR = '2026-11-26T14:00:00Z';
const T0 = 1_800_000_000;

function gateway(parts: Partial<{ [K in keyof GatewayImpact]: GatewayImpact[K] }>): GatewayImpact {
  return {
    name: 'api-gateway',
    routes: { added: [], removed: [], changed: [] },
    access: { granted: [], revoked: [] },
    rateLimits: [],
    apis: { added: [], removed: [], changed: [] },
    ...parts,
  };
}

function hourly(email: string, api: string, operation: string, requests: number, keyName = 'main'): UsageData['hourly'][number] {
  return { api, operation, email, keyName, requests };
}

function perSecond(email: string, api: string, offsets: readonly (readonly [number, number])[], keyName = 'main'): UsageData['seconds'][number][] {
  return offsets.map(([offset, requests]) => ({ api, email, keyName, second: T0 + offset, requests }));
}

const limit = (value: number, period: string, name = 'l'): LimitView => ({ name, limit: value, period });
const route = (pathPrefix: string, api: string): RouteView => ({ hosts: ['*'], pathPrefix, conditions: [], api, version: null });
const lowered = (group: string, api: string, before: LimitView | null, after: LimitView | null): RateLimitChange => ({ group, api, before, after });

describe('affectedConsumers', () => {
  it('lists nobody when nothing affects what they called', () => {
    const usage: UsageData = { hourly: [hourly('ada@x.test', 'apps/a', '*', 3)], seconds: [] };
    expect(affectedConsumers([gateway({ access: { granted: [{ group: 'g', api: 'apps/a', operations: ['*'] }], revoked: [] } })], usage)).toEqual([]);
    expect(affectedConsumers([], usage)).toEqual([]);
  });

  it('a revoked grant of every operation matches every call to the API, whatever operation set granted it', () => {
    const usage: UsageData = {
      hourly: [hourly('ada@x.test', 'apps/a', 'read-only', 3), hourly('ada@x.test', 'apps/a', '*', 2), hourly('bob@x.test', 'apps/b', '*', 9)],
      seconds: [],
    };
    const gw = gateway({ access: { granted: [], revoked: [{ group: 'crm', api: 'apps/a', operations: ['*'] }] } });
    expect(affectedConsumers([gw], usage)).toEqual([{ email: 'ada@x.test', keyName: 'main', api: 'apps/a', requests: 5, reasons: ['access revoked for group crm'] }]);
  });

  it('a revoked operation set matches only the calls that set granted', () => {
    const usage: UsageData = {
      hourly: [hourly('ada@x.test', 'apps/flights', 'bookings', 4), hourly('bob@x.test', 'apps/flights', 'read-only', 7), hourly('cy@x.test', 'apps/flights', 'bookings', 1)],
      seconds: [],
    };
    const gw = gateway({ access: { granted: [], revoked: [{ group: 'partner', api: 'apps/flights', operations: ['bookings'], remaining: ['read-only'] }] } });
    expect(affectedConsumers([gw], usage).map((c) => [c.email, c.requests])).toEqual([
      ['ada@x.test', 4],
      ['cy@x.test', 1],
    ]);
  });

  it('a removed route, a rerouted path and a removed API each match every call to the API', () => {
    const usage: UsageData = {
      hourly: [hourly('ada@x.test', 'apps/a', '*', 1), hourly('ada@x.test', 'apps/b', '*', 2), hourly('ada@x.test', 'apps/c', '*', 3), hourly('ada@x.test', 'apps/d', '*', 4)],
      seconds: [],
    };
    const gw = gateway({
      routes: {
        added: [],
        removed: [route('/a', 'apps/a')],
        changed: [{ hosts: ['*'], pathPrefix: '/b', conditions: [], before: { api: 'apps/b', version: null }, after: { api: 'apps/b2', version: null } }],
      },
      apis: { added: [], removed: ['apps/c'], changed: [] },
    });
    expect(affectedConsumers([gw], usage)).toEqual([
      { email: 'ada@x.test', keyName: 'main', api: 'apps/a', requests: 1, reasons: ['route /a removed'] },
      { email: 'ada@x.test', keyName: 'main', api: 'apps/b', requests: 2, reasons: ['route /b now served by apps/b2'] },
      { email: 'ada@x.test', keyName: 'main', api: 'apps/c', requests: 3, reasons: ['API removed'] },
    ]);
  });

  it('sums requests over hours and operation sets per consumer, key and API; keys of one consumer stay apart', () => {
    const usage: UsageData = {
      hourly: [
        { ...hourly('ada@x.test', 'apps/a', 'read-only', 3), hour: HOUR } as UsageData['hourly'][number],
        { ...hourly('ada@x.test', 'apps/a', 'read-only', 4), hour: '2026-11-26T15:00:00Z' } as UsageData['hourly'][number],
        hourly('ada@x.test', 'apps/a', 'write', 5),
        hourly('ada@x.test', 'apps/a', '*', 6, 'ci'),
      ],
      seconds: [],
    };
    const gw = gateway({ apis: { added: [], removed: ['apps/a'], changed: [] } });
    expect(affectedConsumers([gw], usage).map((c) => [c.email, c.keyName, c.api, c.requests])).toEqual([
      ['ada@x.test', 'ci', 'apps/a', 6],
      ['ada@x.test', 'main', 'apps/a', 12],
    ]);
  });

  it('is sorted by email, key and API, and gathers the reasons of every gateway', () => {
    const usage: UsageData = {
      hourly: [hourly('zed@x.test', 'apps/a', '*', 1), hourly('ada@x.test', 'apps/b', '*', 1), hourly('ada@x.test', 'apps/a', '*', 1), hourly('ada@x.test', 'apps/a', '*', 1, 'a-key')],
      seconds: [],
    };
    const internal = gateway({ name: 'internal', access: { granted: [], revoked: [{ group: 'ops', api: 'apps/a', operations: ['*'] }] } });
    const external = gateway({ name: 'external', routes: { added: [], removed: [route('/a', 'apps/a'), route('/b', 'apps/b')], changed: [] } });
    const out = affectedConsumers([internal, external], usage);
    expect(out.map((c) => `${c.email} ${c.keyName} ${c.api}`)).toEqual(['ada@x.test a-key apps/a', 'ada@x.test main apps/a', 'ada@x.test main apps/b', 'zed@x.test main apps/a']);
    expect(out[0]!.reasons).toEqual(['access revoked for group ops', 'route /a removed']);
  });

  describe('rate limits', () => {
    it('a lowered limit lists the callers with how many of their recent requests it would have refused', () => {
      // ada: 10 in one second, 3 a second later; the new limit is 4 per minute.
      const seconds = perSecond('ada@x.test', 'apps/a', [[0, 10], [1, 3]]);
      const usage: UsageData = { hourly: [hourly('ada@x.test', 'apps/a', '*', 13)], seconds };
      const after = limit(4, '1m', 'tight');
      const gw = gateway({ rateLimits: [lowered('crm', 'apps/a', limit(100, '1m'), after)] });
      const [ada] = affectedConsumers([gw], usage);
      expect(ada).toEqual({ email: 'ada@x.test', keyName: 'main', api: 'apps/a', requests: 13, reasons: ['rate limit decreased for group crm'], refusedByNewLimit: 9 });
      expect(ada!.refusedByNewLimit).toBe(refusedBy(after, seconds, 60_000));
    });

    it('replays only that consumer’s key on that API', () => {
      const usage: UsageData = {
        hourly: [hourly('ada@x.test', 'apps/a', '*', 3)],
        seconds: [...perSecond('ada@x.test', 'apps/a', [[0, 3]]), ...perSecond('ada@x.test', 'apps/b', [[0, 50]]), ...perSecond('ada@x.test', 'apps/a', [[0, 50]], 'other'), ...perSecond('bob@x.test', 'apps/a', [[0, 50]])],
      };
      const gw = gateway({ rateLimits: [lowered('crm', 'apps/a', null, limit(2, '1h'))] });
      expect(affectedConsumers([gw], usage)).toEqual([expect.objectContaining({ email: 'ada@x.test', api: 'apps/a', refusedByNewLimit: 1 })]);
    });

    it('a new limit where there was none is a decrease; a raised or removed limit affects nobody', () => {
      const usage: UsageData = { hourly: [hourly('ada@x.test', 'apps/a', '*', 1), hourly('ada@x.test', 'apps/b', '*', 1), hourly('ada@x.test', 'apps/c', '*', 1)], seconds: [] };
      const gw = gateway({
        rateLimits: [lowered('g', 'apps/a', null, limit(5, '1m')), lowered('g', 'apps/b', limit(5, '1m'), limit(10, '1m')), lowered('g', 'apps/c', limit(5, '1m'), null)],
      });
      expect(affectedConsumers([gw], usage)).toEqual([{ email: 'ada@x.test', keyName: 'main', api: 'apps/a', requests: 1, reasons: ['rate limit decreased for group g'], refusedByNewLimit: 0 }]);
    });

    it('compares rates, not numbers: 10/1m → 10/2m is a decrease, 10/1m → 15/2m too, 10/1m → 30/2m is not', () => {
      const usage: UsageData = { hourly: ['a', 'b', 'c'].map((x) => hourly('ada@x.test', `apps/${x}`, '*', 1)), seconds: [] };
      const gw = gateway({
        rateLimits: [lowered('g', 'apps/a', limit(10, '1m'), limit(10, '2m')), lowered('g', 'apps/b', limit(10, '1m'), limit(15, '2m')), lowered('g', 'apps/c', limit(10, '1m'), limit(30, '2m'))],
      });
      expect(affectedConsumers([gw], usage).map((c) => c.api)).toEqual(['apps/a', 'apps/b']);
    });

    it('with several groups lowered on one API, the most restrictive new limit is replayed for every caller (usage has no group)', () => {
      const seconds = perSecond('ada@x.test', 'apps/a', [[0, 20]]);
      const usage: UsageData = { hourly: [hourly('ada@x.test', 'apps/a', '*', 20)], seconds };
      const gw = gateway({ rateLimits: [lowered('crm', 'apps/a', limit(100, '1m'), limit(10, '1m')), lowered('ops', 'apps/a', limit(100, '1m'), limit(3, '1m'))] });
      const [ada] = affectedConsumers([gw], usage);
      expect(ada!.reasons).toEqual(['rate limit decreased for group crm', 'rate limit decreased for group ops']);
      expect(ada!.refusedByNewLimit).toBe(17);
    });

    it('without per-second usage, refusedByNewLimit is 0 (nothing to replay), not missing', () => {
      const usage: UsageData = { hourly: [hourly('ada@x.test', 'apps/a', '*', 500)], seconds: [] };
      const gw = gateway({ rateLimits: [lowered('g', 'apps/a', limit(100, '1m'), limit(1, '1h'))] });
      expect(affectedConsumers([gw], usage)[0]).toMatchObject({ requests: 500, refusedByNewLimit: 0 });
    });

    it('a consumer affected by a revocation and not by a lowered limit has no refusedByNewLimit', () => {
      const usage: UsageData = { hourly: [hourly('ada@x.test', 'apps/a', '*', 2)], seconds: perSecond('ada@x.test', 'apps/a', [[0, 2]]) };
      const gw = gateway({ access: { granted: [], revoked: [{ group: 'g', api: 'apps/a', operations: ['*'] }] } });
      expect(affectedConsumers([gw], usage)[0]).not.toHaveProperty('refusedByNewLimit');
    });
  });
});
