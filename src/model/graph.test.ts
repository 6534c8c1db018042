import { describe, expect, it } from 'vitest';
import { createGraph, type ResourceGraph } from './graph.js';
import { loadSources } from './load.js';
import type { Resource } from './resource.js';
import { matchesSelector } from './selector.js';
import type { LabelSelector } from './types.js';

const HUB = 'hub.traefik.io/v1alpha1';

function graphOf(...documents: string[]): ResourceGraph {
  return createGraph(loadSources([{ path: 'test.yaml', content: documents.join('---\n') }]));
}

function doc(kind: string, metadata: Record<string, unknown>, body: Record<string, unknown> = {}, apiVersion = HUB): string {
  return `${JSON.stringify({ apiVersion, kind, metadata, ...body })}\n`;
}

function api(name: string, namespace: string, labels: Record<string, string> = {}): string {
  return doc('API', { name, namespace, labels }, { spec: { pathPrefix: `/${name}`, service: { name: 'app', port: { number: 80 } } } });
}

const ids = (resources: readonly Resource[]): string[] => resources.map((r) => r.ref);

describe('select: the label index gives what a brute-force filter gives', () => {
  // A deterministic spread of labels: some absent, some empty, several values per key.
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  const AREAS = ['crm', 'billing', 'hr', ''];
  const TIERS = ['gold', 'silver'];
  const documents: string[] = [];
  for (let i = 0; i < 300; i++) {
    const labels: Record<string, string> = {};
    if (random(5) > 0) labels.area = AREAS[random(AREAS.length)]!;
    if (random(2) === 0) labels.tier = TIERS[random(TIERS.length)]!;
    if (random(7) === 0) labels['example.com/legacy'] = 'true';
    documents.push(api(`api-${i}`, random(3) === 0 ? 'other' : 'apps', labels));
    if (i % 10 === 0) documents.push(doc('APICollection', { name: `collection-${i}`, labels }));
  }
  const graph = graphOf(...documents);

  const selectors: readonly (LabelSelector | undefined)[] = [
    undefined,
    {},
    { matchLabels: {} },
    { matchLabels: { area: 'crm' } },
    { matchLabels: { area: '' } },
    { matchLabels: { area: 'crm', tier: 'gold' } },
    { matchLabels: { tier: 'silver', area: 'billing' } },
    { matchLabels: { area: 'nobody' } },
    { matchLabels: { 'no-such-key': 'x' } },
    { matchLabels: { 'example.com/legacy': 'true' } },
    { matchExpressions: [{ key: 'area', operator: 'In', values: ['crm', 'hr'] }] },
    { matchExpressions: [{ key: 'area', operator: 'NotIn', values: ['crm'] }] },
    { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
    { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] },
    { matchLabels: { area: 'crm' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['gold'] }] },
    { matchLabels: { tier: 'gold' }, matchExpressions: [{ key: 'example.com/legacy', operator: 'Exists' }, { key: 'area', operator: 'In', values: ['hr', ''] }] },
    // Malformed: match nothing, index or not.
    { matchLabels: { area: 'crm' }, matchExpressions: [{ key: 'tier', operator: 'Equals', values: ['gold'] }] },
    { matchLabels: { 'Bad Key': 'crm' } },
    { matchExpressions: [{ key: 'area', operator: 'In' }] },
  ];

  for (const selector of selectors) {
    it(`${JSON.stringify(selector) ?? 'absent'}`, () => {
      for (const kind of ['API', 'APICollection'] as const) {
        const brute = selector === undefined ? [] : graph.list(kind).filter((r) => matchesSelector(selector, r.labels));
        expect(ids(graph.select(kind, selector))).toEqual(ids(brute));
      }
    });
  }

  it('the selectors above are not trivial: some match many, some few', () => {
    const counts = selectors.map((s) => graph.select('API', s).length);
    expect(Math.max(...counts)).toBe(300);
    expect(counts.filter((c) => c > 0 && c < 300).length).toBeGreaterThanOrEqual(8);
  });
});

describe('relations', () => {
  const graph = graphOf(
    api('a', 'apps', { area: 'crm' }),
    api('b', 'apps', { area: 'crm' }),
    api('c', 'apps', { area: 'billing' }),
    api('d', 'apps'),
    api('e', 'default'),
    doc('APICollection', { name: 'crm' }, { spec: { apiSelector: { matchLabels: { area: 'crm' } }, apis: [{ name: 'c', namespace: 'apps' }, { name: 'a', namespace: 'apps' }] } }),
    doc('APICollection', { name: 'defaults', labels: { group: 'x' } }, { spec: { apis: [{ name: 'e' }] } }),
    doc('APICollection', { name: 'unused' }, { spec: { apis: [{ name: 'd', namespace: 'apps' }] } }),
    doc(
      'APIAccess',
      { name: 'crm-users' },
      {
        spec: {
          groups: ['crm'],
          apis: [{ name: 'd', namespace: 'apps' }, { name: 'a', namespace: 'apps' }, { name: 'ghost', namespace: 'apps' }],
          apiCollections: [{ name: 'crm' }, { name: 'missing' }],
          apiCollectionSelector: { matchLabels: { group: 'x' } },
        },
      },
    ),
    doc('APIAccess', { name: 'nothing' }, { spec: { groups: ['none'] } }),
    doc('APIAccess', { name: 'everything' }, { spec: { anyGroups: true, apiCollectionSelector: {} } }),
    doc('APIGateway', { name: 'gateway' }, { spec: { apiAccesses: ['crm-users', 'crm-users', 'missing'] } }),
    doc('APIGateway', { name: 'second' }, { spec: { apiAccesses: ['crm-users', 'everything'] } }),
    doc('APIRateLimit', { name: 'limit' }, { spec: { limit: 1, apiSelector: { matchLabels: { area: 'crm' } }, apis: [{ name: 'b', namespace: 'apps' }] } }),
  );
  const access = (name: string) => graph.get('APIAccess', undefined, name)!;
  const collection = (name: string) => graph.get('APICollection', undefined, name)!;

  it('every fixture resource loaded', () => {
    expect(graph.entries.every((entry) => entry.problems.every((p) => p.severity === 'warning'))).toBe(true);
    expect(graph.list('API')).toHaveLength(5);
  });

  it('grantsOfAccess: direct APIs, then each API through each collection that reaches it', () => {
    const grants = graph.grantsOfAccess(access('crm-users')).map((g) => `${g.api.ref} via ${g.collection?.name ?? '-'}`);
    expect([...grants].sort()).toEqual(['apps/a via -', 'apps/a via crm', 'apps/b via crm', 'apps/c via crm', 'apps/d via -', 'default/e via defaults']);
  });

  it('an omitted namespace in apis[] means default', () => {
    expect(ids(graph.apisOfCollection(collection('defaults')))).toEqual(['default/e']);
  });

  it('collectionsOfAccess: by selector and by name, missing names ignored, no repeats', () => {
    expect(graph.collectionsOfAccess(access('crm-users')).map((c) => c.name).sort()).toEqual(['crm', 'defaults']);
    expect(graph.collectionsOfAccess(access('nothing'))).toEqual([]);
    // An empty selector selects every collection.
    expect(graph.collectionsOfAccess(access('everything')).map((c) => c.name).sort()).toEqual(['crm', 'defaults', 'unused']);
  });

  it('apisOfAccess: each API once however often it is granted', () => {
    expect(ids(graph.apisOfAccess(access('crm-users'))).sort()).toEqual(['apps/a', 'apps/b', 'apps/c', 'apps/d', 'default/e']);
    expect(ids(graph.apisOfAccess(access('everything'))).sort()).toEqual(['apps/a', 'apps/b', 'apps/c', 'apps/d', 'default/e']);
    expect(graph.apisOfAccess(access('nothing'))).toEqual([]);
  });

  it('apisOfCollection: selector and list together, each API once', () => {
    expect(ids(graph.apisOfCollection(collection('crm'))).sort()).toEqual(['apps/a', 'apps/b', 'apps/c']);
  });

  it('apisOfRateLimit: selector and list together, each API once', () => {
    expect(ids(graph.apisOfRateLimit(graph.get('APIRateLimit', undefined, 'limit')!)).sort()).toEqual(['apps/a', 'apps/b']);
  });

  it('accessesOfGateway and gatewaysOfAccess: a name listed twice counts once, a missing one not at all', () => {
    const gateway = graph.get('APIGateway', undefined, 'gateway')!;
    expect(graph.accessesOfGateway(gateway).map((a) => a.name)).toEqual(['crm-users']);
    expect(graph.gatewaysOfAccess(access('crm-users')).map((g) => g.name)).toEqual(['gateway', 'second']);
    expect(graph.gatewaysOfAccess(access('nothing'))).toEqual([]);
  });

  it('accessesOfCollection and accessesOfApi: each access once', () => {
    expect(graph.accessesOfCollection(collection('crm')).map((a) => a.name).sort()).toEqual(['crm-users', 'everything']);
    expect(graph.accessesOfCollection(collection('unused')).map((a) => a.name)).toEqual(['everything']);
    const a = graph.get('API', 'apps', 'a')!;
    expect(graph.accessesOfApi(a).map((x) => x.name).sort()).toEqual(['crm-users', 'everything']);
  });

  it('relations are remembered: asking twice returns the same list', () => {
    expect(graph.grantsOfAccess(access('crm-users'))).toBe(graph.grantsOfAccess(access('crm-users')));
  });
});

describe('versionsOfApi', () => {
  const version = (name: string, namespace: string, apiName: string) =>
    doc('APIVersion', { name, namespace }, { spec: { apiName, service: { name: 'app', port: { number: 80 } } } });
  const graph = graphOf(
    doc('API', { name: 'customers', namespace: 'apps' }, { spec: { pathPrefix: '/customers', currentVersion: 'v2' } }),
    doc('API', { name: 'customers', namespace: 'other' }, { spec: { pathPrefix: '/customers', currentVersion: 'v1' } }),
    doc('API', { name: 'plain', namespace: 'apps' }, { spec: { pathPrefix: '/plain', service: { name: 'app', port: { number: 80 } } } }),
    version('v1', 'apps', 'customers'),
    version('v1', 'other', 'customers'),
    version('unrelated', 'apps', 'orders'),
    version('v2', 'apps', 'customers'),
  );

  it('the APIVersions naming the API in its namespace, in load order', () => {
    expect(graph.versionsOfApi(graph.get('API', 'apps', 'customers')!).map((v) => v.ref)).toEqual(['apps/v1', 'apps/v2']);
    expect(graph.versionsOfApi(graph.get('API', 'other', 'customers')!).map((v) => v.ref)).toEqual(['other/v1']);
    expect(graph.versionsOfApi(graph.get('API', 'apps', 'plain')!)).toEqual([]);
  });
});

describe('endpointSlicesOfService', () => {
  const slice = (name: string, namespace: string, service?: string) =>
    doc(
      'EndpointSlice',
      { name, namespace, ...(service === undefined ? {} : { labels: { 'kubernetes.io/service-name': service } }) },
      { addressType: 'IPv4', endpoints: [{ addresses: ['127.0.0.1'] }], ports: [{ name: 'http', port: 3000 }] },
      'discovery.k8s.io/v1',
    );
  const service = (name: string, namespace: string) => doc('Service', { name, namespace }, { spec: { ports: [{ name: 'http', port: 80 }] } }, 'v1');
  const graph = graphOf(
    service('app', 'apps'),
    service('app', 'other'),
    service('lonely', 'apps'),
    slice('app-1', 'apps', 'app'),
    slice('app-x', 'other', 'app'),
    slice('db-1', 'apps', 'db'),
    slice('unlabelled', 'apps'),
    slice('app-2', 'apps', 'app'),
  );

  it('the slices labelled with the Service name in its namespace', () => {
    expect(graph.endpointSlicesOfService(graph.get('Service', 'apps', 'app')!).map((s) => s.name)).toEqual(['app-1', 'app-2']);
    expect(graph.endpointSlicesOfService(graph.get('Service', 'other', 'app')!).map((s) => s.name)).toEqual(['app-x']);
    expect(graph.endpointSlicesOfService(graph.get('Service', 'apps', 'lonely')!)).toEqual([]);
  });
});

describe('duplicates and invalid resources', () => {
  const graph = graphOf(
    api('a', 'apps'),
    doc('API', { name: 'a', namespace: 'apps' }, { spec: { pathPrefix: '/second', service: { name: 'app', port: { number: 80 } } } }),
    doc('API', { name: 'broken', namespace: 'apps' }, { spec: { pathPrefix: 'no-slash', service: { name: 'app', port: { number: 80 } } } }),
    doc('API', { name: 'twice-bad', namespace: 'apps' }, { spec: { pathPrefix: 'bad' } }),
    api('twice-bad', 'apps'),
    api('a', 'other'),
    doc('Service', { name: 'svc', namespace: 'apps' }, { spec: { ports: 'not a list' } }, 'v1'),
    doc('APIAccess', { name: 'cluster', namespace: 'ignored' }, { spec: { groups: ['g'] } }),
    doc('Deployment', { name: 'app', namespace: 'apps' }, { spec: {} }, 'apps/v1'),
  );

  it('a second definition is a duplicate, kept out of lists; the first wins', () => {
    expect(ids(graph.list('API'))).toEqual(['apps/a', 'other/a']);
    expect(graph.get('API', 'apps', 'a')!.spec.pathPrefix).toBe('/a');
    expect(graph.duplicates.map((d) => `${d.kind} ${d.namespace}/${d.name}`)).toEqual(['API apps/a', 'API apps/twice-bad']);
  });

  it('the same name in another namespace is not a duplicate', () => {
    expect(graph.get('API', 'other', 'a')).toBeDefined();
  });

  it('an invalid resource still exists, so references to it resolve, but is kept out of lists', () => {
    expect(graph.exists('API', 'apps', 'broken')).toBe(true);
    expect(graph.get('API', 'apps', 'broken')).toBeUndefined();
    expect(graph.list('API').some((r) => r.name === 'broken')).toBe(false);
    expect(graph.exists('Service', 'apps', 'svc')).toBe(true);
    expect(graph.get('Service', 'apps', 'svc')).toBeUndefined();
  });

  it('an invalid first definition still holds the name: the valid second one is the duplicate', () => {
    expect(graph.exists('API', 'apps', 'twice-bad')).toBe(true);
    expect(graph.get('API', 'apps', 'twice-bad')).toBeUndefined();
  });

  it('what is not defined does not exist', () => {
    expect(graph.exists('API', 'apps', 'nope')).toBe(false);
    expect(graph.exists('API', 'default', 'a')).toBe(false);
    expect(graph.exists('Service', 'other', 'svc')).toBe(false);
  });

  it('a cluster-scoped kind is found without a namespace, even when one was written', () => {
    expect(graph.get('APIAccess', undefined, 'cluster')?.name).toBe('cluster');
    expect(graph.exists('APIAccess', undefined, 'cluster')).toBe(true);
  });

  it('unknown kinds are entries, not resources', () => {
    const deployment = graph.entries.find((e) => e.kind === 'Deployment');
    expect(deployment).toMatchObject({ known: false, name: 'app', resource: undefined, problems: [] });
    expect(graph.entries).toHaveLength(9);
  });
});
