import { ruleTable, yaml } from '../../../test/helpers/rule-tester.js';

// Each builder writes one compact document; `docs` joins them. Line numbers in the expectations
// count from these shapes: an API is 6 lines (pathPrefix on its line 5, value at column 15), a
// separator 1 line.

const docs = (...parts: string[]) => parts.join('---\n');

const gateway = (name: string, accesses: readonly string[], domains?: readonly string[]) => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIGateway
  metadata: { name: ${name} }
  spec: { apiAccesses: [${accesses.join(', ')}]${domains === undefined ? '' : `, customDomains: [${domains.join(', ')}]`} }
`;

/** An access to every API by default; `grants` replaces `apiSelector: {}`. */
const access = (name: string, grants = 'apiSelector: {}') => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIAccess
  metadata: { name: ${name} }
  spec: { groups: [dev], ${grants} }
`;

const api = (name: string, pathPrefix: string, labels = '{}') => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: API
  metadata: { name: ${name}, namespace: apps, labels: ${labels} }
  spec:
    pathPrefix: ${pathPrefix}
    service: { name: app, port: { number: 80 } }
`;

const versionedApi = (name: string, pathPrefix: string, currentVersion: string) => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: API
  metadata: { name: ${name}, namespace: apps }
  spec:
    pathPrefix: ${pathPrefix}
    currentVersion: ${currentVersion}
`;

/** A version; `routes` is a YAML flow list (`[{ pathPrefix: /v2 }]`), absent for a fallback version. */
const version = (name: string, apiName: string, routes?: string) => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIVersion
  metadata: { name: ${name}, namespace: apps }
  spec:
    apiName: ${apiName}
    service: { name: app, port: { number: 80 } }
    ${routes === undefined ? '' : `routes: ${routes}`}
`;

const collection = (name: string, pathPrefix: string, apis: string) => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: APICollection
  metadata: { name: ${name} }
  spec: { pathPrefix: ${pathPrefix}, apis: ${apis} }
`;

/** One gateway `gw` listing one access `all` that grants every API. */
const oneGateway = { 'gateway.yaml': docs(gateway('gw', ['all']), access('all')) };

const conflict = (prefix: string, self: string, other: string, hosts = 'every host', gw = 'gw') =>
  `path prefix ${prefix} on ${hosts} of APIGateway ${gw} is served by both ${self} and ${other}`;

// Versions of apps/customers at /customers; v1 is current.
const customers = versionedApi('customers', '/customers', 'v1');
const withVersions = (...versions: string[]) => ({ ...oneGateway, 'customers.yaml': docs(customers, ...versions) });
// In customers.yaml: the API takes lines 1-6, then each version 8 lines (7 + separator); the
// routes of the n-th version (1-based) are on line 6 + 8n, the list entry at column 12.
const routesLine = (n: number) => 6 + 8 * n;
const version2 = (name: string) => `apps/customers (API) version ${name}`;

ruleTable('path-conflict', {
  valid: [
    { name: 'distinct prefixes', files: { ...oneGateway, 'apis.yaml': docs(api('a', '/a'), api('b', '/b')) } },
    { name: 'nested prefixes are not the same prefix', files: { ...oneGateway, 'apis.yaml': docs(api('a', '/a'), api('ab', '/a/b')) } },
    {
      name: 'the same prefix on two different gateways',
      files: {
        'gateways.yaml': docs(gateway('gw1', ['one']), gateway('gw2', ['two'])),
        'accesses.yaml': docs(access('one', 'apis: [{ name: a, namespace: apps }]'), access('two', 'apis: [{ name: b, namespace: apps }]')),
        'apis.yaml': docs(api('a', '/same'), api('b', '/same')),
      },
    },
    {
      name: 'the same prefix on two gateways with different domains',
      files: {
        'gateways.yaml': docs(gateway('gw1', ['one'], ['a.example.com']), gateway('gw2', ['two'], ['b.example.com'])),
        'accesses.yaml': docs(access('one', 'apis: [{ name: a, namespace: apps }]'), access('two', 'apis: [{ name: b, namespace: apps }]')),
        'apis.yaml': docs(api('a', '/same'), api('b', '/same')),
      },
    },
    {
      name: 'the same API granted by two accesses of one gateway',
      files: {
        'gateway.yaml': docs(gateway('gw', ['one', 'two']), access('one', 'apis: [{ name: a, namespace: apps }]'), access('two', 'apiSelector: { matchLabels: { team: a } }')),
        'apis.yaml': api('a', '/a', '{ team: a }'),
      },
    },
    {
      name: 'the same API granted directly and through a collection without prefix',
      files: {
        'gateway.yaml': docs(gateway('gw', ['one']), access('one', 'apis: [{ name: a, namespace: apps }], apiCollections: [{ name: c }]')),
        'apis.yaml': docs(api('a', '/a'), collection('c', '/', '[{ name: a, namespace: apps }]')),
      },
    },
    {
      name: 'a collection prefix moves an API away from an equal API prefix',
      files: {
        'gateway.yaml': docs(gateway('gw', ['one']), access('one', 'apis: [{ name: b, namespace: apps }], apiCollections: [{ name: crm }]')),
        'apis.yaml': docs(api('a', '/x'), api('b', '/x'), collection('crm', '/crm', '[{ name: a, namespace: apps }]')),
      },
    },
    { name: 'the same prefix in an access no gateway lists', files: { 'access.yaml': access('all'), 'apis.yaml': docs(api('a', '/a'), api('b', '/a')) } },
    {
      name: 'versions told apart by path, header and query',
      files: withVersions(
        version('v1', 'customers'),
        version('v2', 'customers', '[{ pathPrefix: /v2 }]'),
        version('v3', 'customers', '[{ queryParams: { v: "3" } }]'),
        version('v4', 'customers', '[{ headers: { Version: "4" } }]'),
      ),
    },
    {
      name: 'different header values',
      files: withVersions(version('v1', 'customers', '[{ headers: { Version: "1" } }]'), version('v2', 'customers', '[{ headers: { Version: "2" } }]')),
    },
    {
      name: 'different query parameter values',
      files: withVersions(version('v1', 'customers', '[{ queryParams: { v: "1" } }]'), version('v2', 'customers', '[{ queryParams: { v: "2" } }]')),
    },
    {
      name: 'more conditions win over fewer at the same prefix',
      files: withVersions(
        version('v1', 'customers', '[{ pathPrefix: /beta, headers: { Version: "2" } }]'),
        version('v2', 'customers', '[{ pathPrefix: /beta, headers: { Version: "2" }, queryParams: { tenant: acme } }]'),
      ),
    },
    {
      name: 'a longer route prefix wins over the API prefix',
      files: withVersions(version('v1', 'customers'), version('v2', 'customers', '[{ pathPrefix: /v2 }]'), version('v3', 'customers', '[{ pathPrefix: /v2/beta }]')),
    },
    {
      name: 'one fallback version',
      files: withVersions(version('v1', 'customers'), version('v2', 'customers', '[{ headers: { Version: "2" } }]')),
    },
    {
      name: 'the current version behind the API prefix when no version is a fallback',
      files: withVersions(version('v1', 'customers', '[{ pathPrefix: /v1 }]'), version('v2', 'customers', '[{ pathPrefix: /v2 }]')),
    },
    {
      // resources.md: "a version whose route matches wins over the fallback".
      name: 'a route at the API prefix itself wins over the fallback version',
      files: withVersions(version('v1', 'customers'), version('v2', 'customers', '[{ pathPrefix: / }]')),
    },
    {
      name: 'two routes of one version at the same prefix',
      files: withVersions(version('v1', 'customers', '[{ pathPrefix: /v1 }, { pathPrefix: /v1/ }]')),
    },
  ],
  invalid: [
    {
      name: 'two APIs with the same prefix, at the second API',
      files: { ...oneGateway, 'apis.yaml': docs(api('a', '/same'), api('b', '/same')) },
      errors: [{ message: conflict('/same', 'apps/b (API)', 'apps/a (API)'), line: 12, column: 15, severity: 'error', field: 'spec.pathPrefix', file: 'apis.yaml' }],
    },
    {
      name: 'a trailing slash does not make another prefix',
      files: { ...oneGateway, 'apis.yaml': docs(api('a', '/a/'), api('b', '/a')) },
      errors: [{ message: conflict('/a', 'apps/b (API)', 'apps/a (API)'), line: 12, column: 15, field: 'spec.pathPrefix' }],
    },
    {
      name: 'the gateway hosts are named, lower-cased',
      files: { 'gateway.yaml': docs(gateway('gw', ['all'], ['b.example.com', 'API.example.com']), access('all')), 'apis.yaml': docs(api('a', '/same'), api('b', '/same')) },
      errors: [{ message: conflict('/same', 'apps/b (API)', 'apps/a (API)', 'api.example.com, b.example.com'), line: 12, column: 15 }],
    },
    {
      name: 'a collection prefix plus an API prefix equals another API prefix',
      files: {
        'gateway.yaml': docs(gateway('gw', ['one']), access('one', 'apis: [{ name: crm-x, namespace: apps }], apiCollections: [{ name: crm }]')),
        'apis.yaml': docs(api('crm-x', '/crm/x'), api('x', '/x'), collection('crm', '/crm', '[{ name: x, namespace: apps }]')),
      },
      errors: [{ message: conflict('/crm/x', 'apps/x (API)', 'apps/crm-x (API)'), line: 12, column: 15, field: 'spec.pathPrefix' }],
    },
    {
      // Where the finding lands must not depend on the order of apiAccesses: it is the API
      // defined second, as for the collection case above.
      name: 'the second API is the one defined second, whatever the order of apiAccesses',
      files: {
        'gateway.yaml': docs(gateway('gw', ['two', 'one']), access('one', 'apis: [{ name: a, namespace: apps }]'), access('two', 'apis: [{ name: b, namespace: apps }]')),
        'apis.yaml': docs(api('a', '/same'), api('b', '/same')),
      },
      errors: [{ message: conflict('/same', 'apps/b (API)', 'apps/a (API)'), line: 12, column: 15, field: 'spec.pathPrefix' }],
    },
    {
      name: 'one conflict reported once, however many accesses grant the APIs',
      files: {
        'gateway.yaml': docs(gateway('gw', ['one', 'two']), access('one'), access('two')),
        'apis.yaml': docs(api('a', '/same'), api('b', '/same')),
      },
      errors: [{ message: conflict('/same', 'apps/b (API)', 'apps/a (API)'), line: 12, column: 15 }],
    },
    {
      name: 'one conflict reported once when two gateways serve both APIs',
      files: {
        'gateway.yaml': docs(gateway('gw', ['all']), gateway('gw2', ['all']), access('all')),
        'apis.yaml': docs(api('a', '/same'), api('b', '/same')),
      },
      errors: [{ message: conflict('/same', 'apps/b (API)', 'apps/a (API)'), line: 12, column: 15 }],
    },
    {
      name: 'three APIs at one prefix: each later one is reported',
      files: { ...oneGateway, 'apis.yaml': docs(api('a', '/same'), api('b', '/same'), api('c', '/same')) },
      errors: [
        { message: conflict('/same', 'apps/b (API)', 'apps/a (API)'), line: 12, column: 15 },
        { message: conflict('/same', 'apps/c (API)', 'apps/a (API)'), line: 19, column: 15 },
      ],
    },
    {
      name: 'a version route at another API prefix',
      files: { ...withVersions(version('v1', 'customers'), version('v2', 'customers', '[{ pathPrefix: /v2 }]')), 'apis.yaml': api('v2-legacy', '/customers/v2') },
      errors: [{ message: conflict('/customers/v2', 'apps/v2-legacy (API)', version2('v2')), line: 5, column: 15, file: 'apis.yaml' }],
    },
    {
      name: 'two versions with identical routes (path, headers and query)',
      files: withVersions(
        version('v1', 'customers'),
        version('v2', 'customers', '[{ pathPrefix: /v2, headers: { X-Version: "2" }, queryParams: { tenant: acme } }]'),
        version('v2b', 'customers', '[{ pathPrefix: /v2/, headers: { X-Version: "2" }, queryParams: { tenant: acme } }]'),
      ),
      errors: [
        {
          message: 'path prefix /customers/v2 with header x-version=2, query tenant=acme on every host of APIGateway gw is served by both apps/customers (API) version v2b and apps/customers (API) version v2',
          line: routesLine(3),
          column: 12,
          field: 'spec.routes[0]',
          file: 'customers.yaml',
        },
      ],
    },
    {
      name: 'header names compare case-insensitively',
      files: withVersions(version('v1', 'customers', '[{ headers: { Version: "2" } }]'), version('v2', 'customers', '[{ pathPrefix: /, headers: { version: "2" } }]')),
      errors: [
        {
          message: 'path prefix /customers with header version=2 on every host of APIGateway gw is served by both apps/customers (API) version v2 and apps/customers (API) version v1',
          line: routesLine(2),
          column: 12,
          field: 'spec.routes[0]',
        },
      ],
    },
    {
      name: 'the second route of a version, at its list entry',
      files: withVersions(version('v1', 'customers', '[{ pathPrefix: /v1 }]'), version('v2', 'customers', '[{ pathPrefix: /v2 }, { pathPrefix: /v1 }]')),
      errors: [{ message: conflict('/customers/v1', version2('v2'), version2('v1')), line: routesLine(2), column: 33, field: 'spec.routes[1]' }],
    },
    {
      name: 'two fallback versions, at the second version name',
      files: withVersions(version('v1', 'customers'), version('v2', 'customers', '[{ pathPrefix: /v2 }]'), version('v3', 'customers')),
      errors: [{ message: conflict('/customers', version2('v3'), version2('v1')), line: 26, column: 19, file: 'customers.yaml' }],
    },
    {
      name: 'an unversioned API at the prefix of a versioned one',
      files: { ...withVersions(version('v1', 'customers', '[{ pathPrefix: /v1 }]')), 'apis.yaml': api('legacy', '/customers') },
      errors: [{ message: conflict('/customers', 'apps/legacy (API)', version2('v1')), line: 5, column: 15, file: 'apis.yaml' }],
    },
  ],
});
