import { describe, expect, it } from 'vitest';
import { graphFromSources, type ResourceGraph } from '../model/index.js';
import { joinPrefixes, routesOfGateway, type RouteDefinition } from './routes.js';

/** A graph from YAML documents; fails the test if any document does not load cleanly. */
function graphOf(yaml: string): ResourceGraph {
  const graph = graphFromSources([{ path: 'test.yaml', content: yaml }]);
  expect(graph.fileProblems).toEqual([]);
  expect(graph.entries.flatMap((entry) => entry.problems)).toEqual([]);
  return graph;
}

function routesOf(yaml: string, gatewayName = 'gateway'): RouteDefinition[] {
  const graph = graphOf(yaml);
  const gateway = graph.get('APIGateway', undefined, gatewayName);
  if (gateway === undefined) throw new Error(`no APIGateway ${gatewayName}`);
  return routesOfGateway(graph, gateway);
}

/** The parts of a route a test compares, in one line each. */
function summary(route: RouteDefinition): string {
  const conditions = [...route.headers.map(([n, v]) => `${n}:${v}`), ...route.query.map(([n, v]) => `?${n}=${v}`)].join(',');
  return [
    route.pathPrefix,
    `-> ${route.upstreamPrefix}`,
    route.api.name,
    route.version?.name ?? '-',
    route.collection?.name ?? '-',
    conditions === '' ? '-' : conditions,
    route.fallback ? 'fallback' : '',
  ]
    .join(' ')
    .trim();
}

const sortedSummaries = (routes: readonly RouteDefinition[]) => routes.map(summary).sort();

const SERVICE = `
apiVersion: v1
kind: Service
metadata: { name: app, namespace: apps }
spec:
  ports: [{ port: 80 }]
`;

function gateway(accesses: readonly string[], domains: readonly string[] = []): string {
  return `
apiVersion: hub.traefik.io/v1alpha1
kind: APIGateway
metadata: { name: gateway }
spec:
  apiAccesses: [${accesses.join(', ')}]
  customDomains: [${domains.join(', ')}]
`;
}

function access(name: string, body: string): string {
  return `
apiVersion: hub.traefik.io/v1alpha1
kind: APIAccess
metadata: { name: ${name} }
spec:
  groups: [crm]
${body}`;
}

function api(name: string, pathPrefix: string, labels = '{}'): string {
  return `
apiVersion: hub.traefik.io/v1alpha1
kind: API
metadata: { name: ${name}, namespace: apps, labels: ${labels} }
spec:
  pathPrefix: ${pathPrefix}
  service: { name: app, port: { number: 80 } }
`;
}

const CUSTOMERS_VERSIONED = `
apiVersion: hub.traefik.io/v1alpha1
kind: API
metadata: { name: customers, namespace: apps, labels: { module: crm } }
spec:
  pathPrefix: /customers
  currentVersion: v1
---
apiVersion: hub.traefik.io/v1alpha1
kind: APIVersion
metadata: { name: v1, namespace: apps }
spec:
  apiName: customers
  service: { name: app, port: { number: 80 } }
---
apiVersion: hub.traefik.io/v1alpha1
kind: APIVersion
metadata: { name: v2, namespace: apps }
spec:
  apiName: customers
  stripPathPrefix: true
  routes:
    - pathPrefix: /v2
  service: { name: app, port: { number: 80 } }
---
apiVersion: hub.traefik.io/v1alpha1
kind: APIVersion
metadata: { name: v3, namespace: apps }
spec:
  apiName: customers
  routes:
    - pathPrefix: /v3
  service: { name: app, port: { number: 80 } }
---
apiVersion: hub.traefik.io/v1alpha1
kind: APIVersion
metadata: { name: v4, namespace: apps }
spec:
  apiName: customers
  routes:
    - headers: { Version: "4", X-Tenant: acme }
      queryParams: { Lang: EN }
  service: { name: app, port: { number: 80 } }
`;

describe('joinPrefixes', () => {
  it.each([
    [[], '/'],
    [[undefined], '/'],
    [['/'], '/'],
    [['/', '/'], '/'],
    [['/crm', '/employees'], '/crm/employees'],
    [['/crm/', '/employees/'], '/crm/employees'],
    [['/crm//', '/employees'], '/crm/employees'],
    [[undefined, '/employees'], '/employees'],
    [['/crm', undefined, '/v2'], '/crm/v2'],
    [['/', '/employees'], '/employees'],
    [['/crm', '/'], '/crm'],
    [['/a', '/b', '/c'], '/a/b/c'],
    [['/.well-known', '/x'], '/.well-known/x'],
  ] as const)('%j → %s', (prefixes, expected) => {
    expect(joinPrefixes(...prefixes)).toBe(expected);
  });
});

describe('routesOfGateway', () => {
  it('serves an unversioned API at its prefix, forwarding the same prefix', () => {
    const routes = routesOf([SERVICE, api('employees', '/employees/'), access('crm', '  apis: [{ name: employees, namespace: apps }]'), gateway(['crm'])].join('\n---\n'));
    expect(routes.map(summary)).toEqual(['/employees -> /employees employees - - -']);
  });

  it('adds the collection prefix to the public path and removes it from the upstream path', () => {
    const routes = routesOf(
      [
        SERVICE,
        api('employees', '/employees', '{ module: crm }'),
        `
apiVersion: hub.traefik.io/v1alpha1
kind: APICollection
metadata: { name: crm }
spec:
  pathPrefix: /crm/
  apiSelector: { matchLabels: { module: crm } }
`,
        access('via-collection', '  apiCollections: [{ name: crm }]'),
        access('direct', '  apis: [{ name: employees, namespace: apps }]'),
        gateway(['via-collection', 'direct']),
      ].join('\n---\n'),
    );
    expect(sortedSummaries(routes)).toEqual(['/crm/employees -> /employees employees - crm -', '/employees -> /employees employees - - -']);
  });

  it('serves a collection without a prefix at the API\'s own prefix', () => {
    const routes = routesOf(
      [
        SERVICE,
        api('employees', '/employees', '{ module: crm }'),
        `
apiVersion: hub.traefik.io/v1alpha1
kind: APICollection
metadata: { name: crm }
spec:
  apis: [{ name: employees, namespace: apps }]
`,
        access('via-collection', '  apiCollections: [{ name: crm }]'),
        gateway(['via-collection']),
      ].join('\n---\n'),
    );
    expect(routes.map(summary)).toEqual(['/employees -> /employees employees - crm -']);
  });

  it('serves a versioned API at each version route: stripPathPrefix removes the route prefix upstream', () => {
    const routes = routesOf([SERVICE, CUSTOMERS_VERSIONED, access('crm', '  apis: [{ name: customers, namespace: apps }]'), gateway(['crm'])].join('\n---\n'));
    expect(sortedSummaries(routes)).toEqual([
      '/customers -> /customers customers v1 - - fallback',
      '/customers -> /customers customers v4 - version:4,x-tenant:acme,?Lang=EN',
      '/customers/v2 -> /customers customers v2 - -',
      '/customers/v3 -> /customers/v3 customers v3 - -',
    ]);
  });

  it('keeps the version route prefix upstream but not the collection prefix, for a versioned API in a collection', () => {
    const routes = routesOf(
      [
        SERVICE,
        CUSTOMERS_VERSIONED,
        `
apiVersion: hub.traefik.io/v1alpha1
kind: APICollection
metadata: { name: crm }
spec:
  pathPrefix: /crm
  apiSelector: { matchLabels: { module: crm } }
`,
        access('crm', '  apiCollections: [{ name: crm }]'),
        gateway(['crm']),
      ].join('\n---\n'),
    );
    expect(sortedSummaries(routes)).toEqual([
      '/crm/customers -> /customers customers v1 crm - fallback',
      '/crm/customers -> /customers customers v4 crm version:4,x-tenant:acme,?Lang=EN',
      '/crm/customers/v2 -> /customers customers v2 crm -',
      '/crm/customers/v3 -> /customers/v3 customers v3 crm -',
    ]);
  });

  it('lower-cases and sorts header condition names, keeps query names as written', () => {
    const routes = routesOf([SERVICE, CUSTOMERS_VERSIONED, access('crm', '  apis: [{ name: customers, namespace: apps }]'), gateway(['crm'])].join('\n---\n'));
    const v4 = routes.find((r) => r.version?.name === 'v4')!;
    expect(v4.headers).toEqual([
      ['version', '4'],
      ['x-tenant', 'acme'],
    ]);
    expect(v4.query).toEqual([['Lang', 'EN']]);
  });

  it('serves currentVersion at the API prefix when no version is a fallback', () => {
    const routes = routesOf(
      [
        SERVICE,
        `
apiVersion: hub.traefik.io/v1alpha1
kind: API
metadata: { name: orders, namespace: apps }
spec:
  pathPrefix: /orders
  currentVersion: v2
---
apiVersion: hub.traefik.io/v1alpha1
kind: APIVersion
metadata: { name: v1, namespace: apps }
spec:
  apiName: orders
  routes: [{ pathPrefix: /v1 }]
  service: { name: app, port: { number: 80 } }
---
apiVersion: hub.traefik.io/v1alpha1
kind: APIVersion
metadata: { name: v2, namespace: apps }
spec:
  apiName: orders
  routes: [{ pathPrefix: /v2 }]
  service: { name: app, port: { number: 80 } }
`,
        access('crm', '  apis: [{ name: orders, namespace: apps }]'),
        gateway(['crm']),
      ].join('\n---\n'),
    );
    expect(sortedSummaries(routes)).toEqual([
      '/orders -> /orders orders v2 - - fallback',
      '/orders/v1 -> /orders/v1 orders v1 - -',
      '/orders/v2 -> /orders/v2 orders v2 - -',
    ]);
  });

  it('lists a route reached through several accesses once', () => {
    const routes = routesOf(
      [
        SERVICE,
        api('employees', '/employees', '{ module: crm }'),
        access('one', '  apis: [{ name: employees, namespace: apps }]'),
        access('two', '  apiSelector: { matchLabels: { module: crm } }'),
        gateway(['one', 'two']),
      ].join('\n---\n'),
    );
    expect(routes.map(summary)).toEqual(['/employees -> /employees employees - - -']);
  });

  it('serves only what the gateway\'s own accesses grant', () => {
    const routes = routesOf(
      [
        SERVICE,
        api('employees', '/employees'),
        api('payroll', '/payroll'),
        access('listed', '  apis: [{ name: employees, namespace: apps }]'),
        access('unlisted', '  apis: [{ name: payroll, namespace: apps }]'),
        gateway(['listed', 'missing-access']),
      ].join('\n---\n'),
    );
    expect(routes.map((r) => r.api.name)).toEqual(['employees']);
  });

  it('answers on the gateway\'s domains, lower-cased, unique and sorted', () => {
    const routes = routesOf(
      [SERVICE, api('employees', '/employees'), access('crm', '  apis: [{ name: employees, namespace: apps }]'), gateway(['crm'], ['B.example.com', 'a.example.com'])].join('\n---\n'),
    );
    expect(routes[0]?.hosts).toEqual(['a.example.com', 'b.example.com']);
  });

  it('serves an API with the root prefix at / and its version routes below it', () => {
    const routes = routesOf(
      [
        SERVICE,
        `
apiVersion: hub.traefik.io/v1alpha1
kind: API
metadata: { name: root, namespace: apps }
spec:
  pathPrefix: /
  currentVersion: v1
---
apiVersion: hub.traefik.io/v1alpha1
kind: APIVersion
metadata: { name: v1, namespace: apps }
spec:
  apiName: root
  routes: [{ pathPrefix: /v1 }]
  service: { name: app, port: { number: 80 } }
`,
        access('crm', '  apis: [{ name: root, namespace: apps }]'),
        gateway(['crm']),
      ].join('\n---\n'),
    );
    expect(sortedSummaries(routes)).toEqual(['/ -> / root v1 - - fallback', '/v1 -> /v1 root v1 - -']);
  });
});
