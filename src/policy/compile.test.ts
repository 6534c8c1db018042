import { describe, expect, it } from 'vitest';
import { graphFromSources, type ResourceGraph } from '../model/index.js';
import { compile, moreRestrictive } from './compile.js';
import type { RateLimitConfig, RuntimeConfig } from './runtime-config.js';

/** A graph from YAML documents (one file each); fails the test if any does not load cleanly. */
function graphOf(...documents: string[]): ResourceGraph {
  const graph = graphFromSources(documents.map((content, i) => ({ path: `doc-${i}.yaml`, content })));
  expect(graph.fileProblems).toEqual([]);
  expect(graph.entries.flatMap((entry) => entry.problems)).toEqual([]);
  return graph;
}

const compiled = (...documents: string[]): RuntimeConfig => compile(graphOf(...documents), { revision: 'test' });

const HUB = 'apiVersion: hub.traefik.io/v1alpha1';

function rate(name: string, limit: number, periodMs: number): RateLimitConfig {
  return { name, limit, periodMs, period: `${periodMs}ms`, strategy: 'local' };
}

describe('moreRestrictive', () => {
  const perSecond10 = rate('ten-per-second', 10, 1000);
  const perMinute100 = rate('hundred-per-minute', 100, 60_000);
  const perSecond1 = rate('one-per-second', 1, 1000);
  const per10s10 = rate('ten-per-10s', 10, 10_000);

  it('takes the other one when there is none yet', () => {
    expect(moreRestrictive(null, perSecond10)).toBe(perSecond10);
  });

  it.each([
    ['the lower rate wins', perSecond10, perMinute100, perMinute100],
    ['the lower rate wins, whatever the bucket size', perSecond1, perMinute100, perSecond1],
    ['at equal rates, the smaller bucket', perSecond1, per10s10, perSecond1],
    ['at equal rates and buckets, the first name', rate('b', 5, 1000), rate('a', 5, 1000), rate('a', 5, 1000)],
    ['a limit of 0 beats anything', rate('zero', 0, 3_600_000), perSecond1, rate('zero', 0, 3_600_000)],
  ] as const)('%s', (_name, a, b, expected) => {
    // The answer must not depend on the order the limits are met in.
    expect(moreRestrictive(a, b)).toEqual(expected);
    expect(moreRestrictive(b, a)).toEqual(expected);
  });
});

const SERVICE = `${HUB.replace('hub.traefik.io/v1alpha1', 'v1')}
kind: Service
metadata: { name: app, namespace: apps }
spec:
  ports: [{ name: http, port: 80 }]
`;

const EMPLOYEES = `${HUB}
kind: API
metadata: { name: employees, namespace: apps, labels: { area: hr } }
spec:
  pathPrefix: /employees
  service:
    name: app
    port: { name: http }
    openApiSpec:
      path: /openapi.yaml
      operationSets:
        - name: write
          matchers:
            - pathPrefix: /employees
              methods: [PUT, POST]
        - name: read-only
          matchers:
            - pathPrefix: /employees
              methods: [HEAD, GET, GET]
        - name: by-id
          matchers:
            - pathRegex: "(?i)^/employees/[0-9]+$"
            - path: /employees/me
`;

const PAYROLL = `${HUB}
kind: API
metadata: { name: payroll, namespace: apps, labels: { area: finance } }
spec:
  pathPrefix: /payroll
  service: { name: app, port: { number: 80 } }
`;

const SECRET = `${HUB}
kind: API
metadata: { name: secret, namespace: apps }
spec:
  pathPrefix: /secret
  service: { name: app, port: { number: 80 } }
`;

function access(name: string, spec: string): string {
  return `${HUB}
kind: APIAccess
metadata: { name: ${name} }
spec:
${spec
  .trim()
  .split('\n')
  .map((line) => `  ${line}`)
  .join('\n')}
`;
}

function gateway(name: string, accesses: readonly string[], domains: readonly string[] = []): string {
  return `${HUB}
kind: APIGateway
metadata: { name: ${name} }
spec:
  apiAccesses: [${accesses.join(', ')}]
  customDomains: [${domains.join(', ')}]
`;
}

function rateLimit(name: string, spec: string): string {
  return `${HUB}
kind: APIRateLimit
metadata: { name: ${name} }
spec:
${spec
  .trim()
  .split('\n')
  .map((line) => `  ${line}`)
  .join('\n')}
`;
}

const ACCESSES = [
  access('readers', `groups: [crm]\napis: [{ name: employees, namespace: apps }]\noperationFilter: { include: [read-only] }`),
  access('writers', `groups: [crm, hr]\napis: [{ name: employees, namespace: apps }]\noperationFilter: { include: [write, read-only] }`),
  access('admins', `groups: [admins]\napiSelector: { matchExpressions: [{ key: area, operator: Exists }] }`),
  access('admins-read', `groups: [admins]\napis: [{ name: employees, namespace: apps }]\noperationFilter: { include: [read-only] }`),
  access('everyone', `anyGroups: true\napis: [{ name: payroll, namespace: apps }]\noperationFilter: { include: [] }`),
  access('unlisted', `groups: [crm]\napis: [{ name: secret, namespace: apps }]`),
];

const ACCESS_GRAPH = [
  SERVICE,
  EMPLOYEES,
  PAYROLL,
  SECRET,
  ...ACCESSES,
  gateway('internal', ['readers', 'writers', 'admins', 'admins-read', 'everyone']),
  gateway('partner', ['readers'], ['Partner.Example.com', 'partner.example.com']),
];

describe('compile: access per gateway', () => {
  const config = compiled(...ACCESS_GRAPH);
  const byName = Object.fromEntries(config.gateways.map((g) => [g.name, g]));

  it('lists gateways by name, with their hosts lower-cased and unique', () => {
    expect(config.gateways.map((g) => [g.name, g.hosts])).toEqual([
      ['internal', []],
      ['partner', ['partner.example.com']],
    ]);
  });

  it('grants each group the union of what its accesses on that gateway grant', () => {
    expect(byName.internal?.access).toEqual({
      'apps/employees': {
        // admins: an unfiltered access and a filtered one: every operation.
        groups: { admins: '*', crm: ['read-only', 'write'], hr: ['read-only', 'write'] },
        anyGroups: null,
      },
      'apps/payroll': { groups: { admins: '*' }, anyGroups: [] },
    });
  });

  it('grants through a gateway only what that gateway\'s accesses grant', () => {
    expect(byName.partner?.access).toEqual({ 'apps/employees': { groups: { crm: ['read-only'] }, anyGroups: null } });
  });

  it('compiles only the APIs some gateway serves', () => {
    expect(Object.keys(config.apis)).toEqual(['apps/employees', 'apps/payroll']);
  });

  it('compiles operation sets per target: methods unique and sorted; regexes translated', () => {
    expect(config.apis['apps/employees']?.targets['']?.operationSets).toEqual({
      'by-id': [
        { path: null, pathPrefix: null, pathRegex: { source: '^/employees/[0-9]+$', flags: 'i' }, methods: [] },
        { path: '/employees/me', pathPrefix: null, pathRegex: null, methods: [] },
      ],
      'read-only': [{ path: null, pathPrefix: '/employees', pathRegex: null, methods: ['GET', 'HEAD'] }],
      write: [{ path: null, pathPrefix: '/employees', pathRegex: null, methods: ['POST', 'PUT'] }],
    });
    expect(Object.keys(config.apis['apps/employees']!.targets['']!.operationSets)).toEqual(['by-id', 'read-only', 'write']);
    expect(config.apis['apps/payroll']?.targets['']?.operationSets).toEqual({});
  });

  it('grants nothing to a gateway that lists no access', () => {
    const config = compiled(SERVICE, EMPLOYEES, ...ACCESSES, gateway('empty', []));
    expect(config.gateways).toEqual([{ name: 'empty', hosts: [], routes: [], access: {} }]);
    expect(config.apis).toEqual({});
  });
});

describe('compile: rate limits', () => {
  const config = compiled(
    SERVICE,
    EMPLOYEES,
    PAYROLL,
    access('all', `groups: [crm]\napiSelector: {}`),
    gateway('gw', ['all']),
    rateLimit('a-crm-ten-per-minute', `limit: 10\nperiod: 1m\ngroups: [crm]\napis: [{ name: employees, namespace: apps }]`),
    rateLimit('b-hr-one-per-second', `limit: 1\ngroups: [crm, hr]\napiSelector: { matchLabels: { area: hr } }`),
    rateLimit('c-anyone-hundred', `limit: 100\nperiod: 1s\nanyGroups: true\napis: [{ name: employees, namespace: apps }, { name: payroll, namespace: apps }]`),
    rateLimit('d-anyone-five', `limit: 5\nperiod: 1s\nstrategy: distributed\nanyGroups: true\napis: [{ name: payroll, namespace: apps }]`),
    rateLimit('e-blocked', `limit: 0\nperiod: 1h\ngroups: [blocked]\napis: [{ name: employees, namespace: apps }]`),
    rateLimit('f-unserved', `limit: 1\ngroups: [crm]\napis: [{ name: nowhere, namespace: apps }]`),
  );
  const limit = (name: string, value: number, period: string, periodMs: number, strategy: 'local' | 'distributed' = 'local'): RateLimitConfig => ({
    name,
    limit: value,
    periodMs,
    period,
    strategy,
  });

  it('keeps per group, on each API, the most restrictive limit naming it', () => {
    expect(config.apis['apps/employees']?.rateLimits).toEqual({
      groups: {
        blocked: limit('e-blocked', 0, '1h', 3_600_000),
        // 10 per minute is slower than 1 per second.
        crm: limit('a-crm-ten-per-minute', 10, '1m', 60_000),
        hr: limit('b-hr-one-per-second', 1, '1s', 1000),
      },
      anyGroups: limit('c-anyone-hundred', 100, '1s', 1000),
    });
  });

  it('keeps the most restrictive anyGroups limit, with its strategy', () => {
    expect(config.apis['apps/payroll']?.rateLimits).toEqual({ groups: {}, anyGroups: limit('d-anyone-five', 5, '1s', 1000, 'distributed') });
  });

  it('gives an API without limits empty limits', () => {
    const plain = compiled(SERVICE, PAYROLL, access('all', `groups: [crm]\napiSelector: {}`), gateway('gw', ['all']));
    expect(plain.apis['apps/payroll']?.rateLimits).toEqual({ groups: {}, anyGroups: null });
  });

  it('lists groups in sorted order so the bytes (and the hash) do not depend on load order', () => {
    expect(Object.keys(config.apis['apps/employees']!.rateLimits.groups)).toEqual(['blocked', 'crm', 'hr']);
  });
});

describe('compile: names are data', () => {
  // Group names are any strings in the resources. One that is also a special property name of
  // JavaScript objects must compile like any other: not vanish from the JSON (and the hash), nor
  // become the prototype of the groups object (every other lookup would then inherit from it).
  const config = compiled(
    SERVICE,
    PAYROLL,
    access('odd', `groups: [__proto__, constructor, crm]\napis: [{ name: payroll, namespace: apps }]`),
    gateway('gw', ['odd']),
    rateLimit('odd-limit', `limit: 3\ngroups: [__proto__, constructor]\napis: [{ name: payroll, namespace: apps }]`),
  );

  it('keeps them in the access grants', () => {
    const groups = config.gateways[0]!.access['apps/payroll']!.groups;
    expect(Object.keys(groups)).toEqual(['__proto__', 'constructor', 'crm']);
    expect(JSON.parse(JSON.stringify(groups))).toEqual(JSON.parse('{"__proto__":"*","constructor":"*","crm":"*"}'));
  });

  it('keeps them in the rate limits, and lends nothing to other group names', () => {
    const groups = config.apis['apps/payroll']!.rateLimits.groups;
    expect(Object.keys(groups)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(groups)).toBe(Object.prototype);
    expect((groups as Record<string, unknown>).limit).toBeUndefined();
  });

  it('compiles operation sets named like Object.prototype properties (the model accepts any name)', () => {
    const api = `${HUB}
kind: API
metadata: { name: odd, namespace: apps }
spec:
  pathPrefix: /odd
  service:
    name: app
    port: { number: 80 }
    openApiSpec:
      path: /openapi.yaml
      operationSets:
        - name: constructor
          matchers: [{ pathPrefix: /odd/a }]
        - name: toString
          matchers: [{ pathPrefix: /odd/b, methods: [GET] }]
`;
    const config = compiled(
      SERVICE,
      api,
      access('odd-sets', `groups: [crm]\napis: [{ name: odd, namespace: apps }]\noperationFilter: { include: [constructor, toString] }`),
      gateway('gw', ['odd-sets']),
    );
    expect(config.apis['apps/odd']?.targets['']?.operationSets).toEqual({
      constructor: [{ path: null, pathPrefix: '/odd/a', pathRegex: null, methods: [] }],
      toString: [{ path: null, pathPrefix: '/odd/b', pathRegex: null, methods: ['GET'] }],
    });
    expect(config.gateways[0]?.access['apps/odd']?.groups).toEqual({ crm: ['constructor', 'toString'] });
  });
});

describe('compile: backends (shared/spec/resources.md, Service and EndpointSlice)', () => {
  function apiOn(name: string, service: string, port: string): string {
    return `${HUB}
kind: API
metadata: { name: ${name}, namespace: apps }
spec:
  pathPrefix: /${name}
  service: { name: ${service}, port: ${port} }
`;
  }
  function service(name: string, spec: string): string {
    return `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: apps }
spec:
${spec
  .trim()
  .split('\n')
  .map((line) => `  ${line}`)
  .join('\n')}
`;
  }
  function slice(name: string, serviceName: string, body: string, namespace = 'apps'): string {
    return `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${name}, namespace: ${namespace}, labels: { kubernetes.io/service-name: ${serviceName} } }
addressType: IPv4
${body.trim()}
`;
  }

  const config = compiled(
    access('all', `groups: [crm]\napiSelector: {}`),
    gateway('gw', ['all']),
    // Slice port named like the Service port: its number, whatever the targetPort says.
    service('sliced', `ports: [{ name: http, port: 80, targetPort: 8080 }, { name: metrics, port: 9100 }]`),
    slice(
      'sliced-1',
      'sliced',
      `
ports: [{ name: metrics, port: 9100 }, { name: http, port: 8081 }]
endpoints:
  - addresses: [10.0.0.2]
  - addresses: [10.0.0.1]
    conditions: { ready: true }
  - addresses: [10.0.0.3]
    conditions: { ready: false }
`,
    ),
    slice('sliced-2', 'sliced', `ports: [{ name: http, port: 8081 }]\nendpoints: [{ addresses: ["fd00::1", 10.0.0.1] }]`),
    apiOn('by-slice', 'sliced', '{ name: http }'),
    // No slice port with the Service port's name: the targetPort.
    service('renamed', `ports: [{ name: web, port: 80, targetPort: 3000 }]`),
    slice('renamed-1', 'renamed', `ports: [{ name: other, port: 9999 }]\nendpoints: [{ addresses: [10.0.1.1] }]`),
    apiOn('by-target-port', 'renamed', '{ number: 80 }'),
    // No slice port and no targetPort: the Service port.
    service('plain', `ports: [{ port: 8080 }]`),
    slice('plain-1', 'plain', `endpoints: [{ addresses: [10.0.2.1] }]`),
    apiOn('by-port', 'plain', '{ number: 8080 }'),
    // Unnamed Service port, unnamed slice port: they match.
    service('unnamed', `ports: [{ port: 80, targetPort: 8080 }]`),
    slice('unnamed-1', 'unnamed', `ports: [{ port: 7070 }]\nendpoints: [{ addresses: [10.0.3.1] }]`),
    apiOn('unnamed', 'unnamed', '{ number: 80 }'),
    // ExternalName: 443 means https; any other port http.
    service('partner', `type: ExternalName\nexternalName: api.partner.example\nports: [{ port: 443 }]`),
    apiOn('external-https', 'partner', '{ number: 443 }'),
    service('legacy', `type: ExternalName\nexternalName: legacy.partner.example\nports: [{ name: web, port: 8080 }]`),
    apiOn('external-http', 'legacy', '{ name: web }'),
    // Neither slices nor ExternalName: cluster DNS at the Service port, found by name.
    service('in-cluster', `ports: [{ name: api, port: 3000, targetPort: 9000 }]`),
    slice('elsewhere', 'in-cluster', `ports: [{ name: api, port: 9000 }]\nendpoints: [{ addresses: [10.9.9.9] }]`, 'other'),
    apiOn('cluster-dns', 'in-cluster', '{ name: api }'),
    // A slice whose endpoints are all not ready gives no address: cluster DNS.
    service('down', `ports: [{ port: 80 }]`),
    slice('down-1', 'down', `endpoints: [{ addresses: [10.0.4.1], conditions: { ready: false } }]`),
    apiOn('all-down', 'down', '{ number: 80 }'),
  );
  const backendOf = (api: string) => config.apis[`apps/${api}`]?.targets['']?.backend;

  it.each([
    ['by-slice', 'endpoints', ['http://10.0.0.1:8081', 'http://10.0.0.2:8081', 'http://[fd00::1]:8081'], 80],
    ['by-target-port', 'endpoints', ['http://10.0.1.1:3000'], 80],
    ['by-port', 'endpoints', ['http://10.0.2.1:8080'], 8080],
    ['unnamed', 'endpoints', ['http://10.0.3.1:7070'], 80],
    ['external-https', 'external', ['https://api.partner.example:443'], 443],
    ['external-http', 'external', ['http://legacy.partner.example:8080'], 8080],
    ['cluster-dns', 'dns', ['http://in-cluster.apps.svc.cluster.local:3000'], 3000],
    ['all-down', 'dns', ['http://down.apps.svc.cluster.local:80'], 80],
  ] as const)('%s → %s %j', (api, kind, urls, port) => {
    const backend = backendOf(api);
    expect(backend).toEqual({ service: { namespace: 'apps', name: expect.any(String), port }, kind, urls });
  });

  it('names the Service, so a running gateway can apply an override', () => {
    expect(backendOf('cluster-dns')?.service).toEqual({ namespace: 'apps', name: 'in-cluster', port: 3000 });
  });

  it('goes to cluster DNS at the referenced port when the Service is not in the repository', () => {
    const config = compiled(apiOn('ghost', 'ghost-app', '{ number: 3000 }'), access('all', `groups: [crm]\napiSelector: {}`), gateway('gw', ['all']));
    expect(config.apis['apps/ghost']?.targets['']?.backend).toEqual({
      service: { namespace: 'apps', name: 'ghost-app', port: 3000 },
      kind: 'dns',
      urls: ['http://ghost-app.apps.svc.cluster.local:3000'],
    });
  });
});

describe('compile: routes in the order the router relies on', () => {
  const VERSIONED = `${HUB}
kind: API
metadata: { name: customers, namespace: apps }
spec:
  pathPrefix: /customers
  currentVersion: v1
---
${HUB}
kind: APIVersion
metadata: { name: v1, namespace: apps }
spec:
  apiName: customers
  service: { name: app, port: { number: 80 } }
---
${HUB}
kind: APIVersion
metadata: { name: v2, namespace: apps }
spec:
  apiName: customers
  routes: [{ pathPrefix: /v2 }]
  stripPathPrefix: true
  service: { name: app, port: { number: 80 } }
---
${HUB}
kind: APIVersion
metadata: { name: v3, namespace: apps }
spec:
  apiName: customers
  routes: [{ queryParams: { v: "3" } }]
  service: { name: app, port: { number: 80 } }
---
${HUB}
kind: APIVersion
metadata: { name: v4, namespace: apps }
spec:
  apiName: customers
  routes: [{ headers: { Version: "4" } }]
  service: { name: app, port: { number: 80 } }
---
${HUB}
kind: APIVersion
metadata: { name: v5, namespace: apps }
spec:
  apiName: customers
  routes: [{ headers: { Version: "5" }, queryParams: { v: "5" } }]
  service: { name: app, port: { number: 80 } }
`;

  it('sorts longest prefix first; at one prefix most conditions first, headers before queries, fallbacks last', () => {
    const config = compiled(SERVICE, VERSIONED, PAYROLL, access('all', `groups: [crm]\napiSelector: {}`), gateway('gw', ['all']));
    const routes = config.gateways[0]!.routes.map((r) => `${r.pathPrefix} ${r.version ?? '-'} ${r.fallback ? 'fallback' : ''}`.trim());
    expect(routes).toEqual(['/customers/v2 v2', '/customers v5', '/customers v4', '/customers v3', '/customers v1 fallback', '/payroll -']);
    expect(config.gateways[0]!.routes[0]).toMatchObject({ pathPrefix: '/customers/v2', upstreamPrefix: '/customers', api: 'apps/customers', collection: null });
  });

  it('compiles one target per version of a versioned API', () => {
    const config = compiled(SERVICE, VERSIONED, access('all', `groups: [crm]\napiSelector: {}`), gateway('gw', ['all']));
    const api = config.apis['apps/customers']!;
    expect(api.currentVersion).toBe('v1');
    expect(Object.keys(api.targets)).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
    expect(api.targets.v2?.version).toBe('v2');
  });
});

describe('compile: determinism and the hash', () => {
  const RATE = rateLimit('crm-limit', `limit: 10\nperiod: 1m\ngroups: [crm]\napiSelector: {}`);
  const documents = [...ACCESS_GRAPH, RATE];

  it('gives the same bytes and hash when compiled twice', () => {
    const a = compiled(...documents);
    const b = compiled(...documents);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on the order resources are loaded in, nor on the order accesses are listed in', () => {
    const a = compiled(...documents);
    const reversed = compiled(...[...documents].reverse());
    expect(JSON.stringify(reversed)).toBe(JSON.stringify(a));
    const reorderedDocuments = documents.map((doc) =>
      doc.replace('apiAccesses: [readers, writers, admins, admins-read, everyone]', 'apiAccesses: [everyone, admins-read, admins, writers, readers]'),
    );
    expect(reorderedDocuments).not.toEqual(documents);
    expect(compiled(...reorderedDocuments).hash).toBe(a.hash);
  });

  it('hashes the effect, not the revision', () => {
    const graph = graphOf(...documents);
    const a = compile(graph, { revision: 'abc123' });
    const b = compile(graph, { revision: 'def456' });
    expect(a.revision).toBe('abc123');
    expect(b.revision).toBe('def456');
    expect(b.hash).toBe(a.hash);
  });

  it.each([
    ['a rate limit', (d: string) => d.replace('limit: 10\n', 'limit: 11\n')],
    ['an operation filter', (d: string) => d.replace('operationFilter: { include: [read-only] }', 'operationFilter: { include: [by-id] }')],
    ['a group of an access', (d: string) => d.replace('groups: [crm, hr]', 'groups: [crm, ops]')],
    ['a matcher method', (d: string) => d.replace('methods: [PUT, POST]', 'methods: [PATCH, POST]')],
    ['an API prefix', (d: string) => d.replace('pathPrefix: /payroll', 'pathPrefix: /pay')],
    ['a gateway domain', (d: string) => d.replace('Partner.Example.com', 'other.example.com')],
    ['a Service port', (d: string) => d.replace('ports: [{ name: http, port: 80 }]', 'ports: [{ name: http, port: 81 }]')],
  ])('changes the hash when %s changes', (_name, change) => {
    const changed = documents.map(change);
    expect(changed).not.toEqual(documents);
    expect(compiled(...changed).hash).not.toBe(compiled(...documents).hash);
  });

  it('changes nothing for resources no gateway serves', () => {
    const extra = `${HUB}
kind: API
metadata: { name: unserved, namespace: apps }
spec:
  pathPrefix: /unserved
  service: { name: app, port: { number: 80 } }
`;
    expect(compiled(...documents, extra).hash).toBe(compiled(...documents).hash);
  });
});
