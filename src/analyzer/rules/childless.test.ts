import { ruleTable, yaml } from '../../../test/helpers/rule-tester.js';

// Every builder writes one compact document whose metadata.name value is on its line 3, column
// 19 (`metadata: { name: ` is 18 characters); `docs` joins documents with a separator line, so
// the n-th document (1-based) of a file of 4-line documents has its name on line 5n - 2.

const docs = (...parts: string[]) => parts.join('---\n');
const nameLine = (n: number) => 5 * n - 2;

const gateway = (name: string, spec: string) => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIGateway
  metadata: { name: ${name} }
  spec: ${spec}
`;

const access = (name: string, grants: string) => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIAccess
  metadata: { name: ${name} }
  spec: { groups: [dev], ${grants} }
`;

const collection = (name: string, spec: string, labels = '{}') => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: APICollection
  metadata: { name: ${name}, labels: ${labels} }
  spec: ${spec}
`;

const rateLimit = (name: string, selection: string) => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIRateLimit
  metadata: { name: ${name} }
  spec: { limit: 10, period: 1m, groups: [dev], ${selection} }
`;

/** Two APIs labelled module=crm and module=ops, in their own file. */
const apis = {
  'apis.yaml': yaml`
    apiVersion: hub.traefik.io/v1alpha1
    kind: API
    metadata: { name: a, namespace: apps, labels: { module: crm } }
    spec: { pathPrefix: /a, service: { name: app, port: { number: 80 } } }
    ---
    apiVersion: hub.traefik.io/v1alpha1
    kind: API
    metadata: { name: b, namespace: apps, labels: { module: ops } }
    spec: { pathPrefix: /b, service: { name: app, port: { number: 80 } } }
  `,
};

ruleTable('childless', {
  valid: [
    { name: 'a collection by selector', files: { ...apis, 'c.yaml': collection('crm', '{ apiSelector: { matchLabels: { module: crm } } }') } },
    { name: 'a collection by name', files: { ...apis, 'c.yaml': collection('crm', '{ apis: [{ name: b, namespace: apps }] }') } },
    { name: 'a collection with an empty selector', files: { ...apis, 'c.yaml': collection('all', '{ apiSelector: {} }') } },
    { name: 'an access by selector', files: { ...apis, 'a.yaml': access('crm', 'apiSelector: { matchExpressions: [{ key: module, operator: In, values: [crm] }] }') } },
    { name: 'an access by name', files: { ...apis, 'a.yaml': access('one', 'apis: [{ name: a, namespace: apps }]') } },
    {
      name: 'an access through a collection',
      files: { ...apis, 'a.yaml': docs(access('crm', 'apiCollections: [{ name: crm }]'), collection('crm', '{ apis: [{ name: a, namespace: apps }] }')) },
    },
    {
      name: 'an access through a collection selector',
      files: { ...apis, 'a.yaml': docs(access('crm', 'apiCollectionSelector: { matchLabels: { module: crm } }'), collection('crm', '{ apiSelector: {} }', '{ module: crm }')) },
    },
    { name: 'a rate limit by selector', files: { ...apis, 'r.yaml': rateLimit('ops', 'apiSelector: { matchLabels: { module: ops } }') } },
    { name: 'a rate limit by name', files: { ...apis, 'r.yaml': rateLimit('one', 'apis: [{ name: b, namespace: apps }]') } },
    { name: 'a gateway that lists an access', files: { ...apis, 'g.yaml': docs(gateway('gw', '{ apiAccesses: [one] }'), access('one', 'apiSelector: {}')) } },
  ],
  invalid: [
    {
      name: 'a collection whose selector matches nothing, at its name',
      files: { ...apis, 'c.yaml': collection('sales', '{ apiSelector: { matchLabels: { module: sales } } }') },
      errors: [{ message: 'APICollection sales contains no API', line: 3, column: 19, severity: 'warning', file: 'c.yaml' }],
    },
    {
      name: 'a collection with neither selector nor apis',
      files: { ...apis, 'c.yaml': collection('empty', '{ pathPrefix: /empty }') },
      errors: [{ message: 'APICollection empty contains no API', line: 3, column: 19, severity: 'warning' }],
    },
    {
      name: 'a collection that names only missing APIs',
      files: { ...apis, 'c.yaml': collection('ghosts', '{ apis: [{ name: a }, { name: a, namespace: other }] }') },
      errors: [{ message: 'APICollection ghosts contains no API', line: 3, column: 19 }],
    },
    {
      name: 'a collection when there are no APIs, even with an empty selector',
      files: { 'c.yaml': collection('all', '{ apiSelector: {} }') },
      errors: [{ message: 'APICollection all contains no API', line: 3, column: 19 }],
    },
    {
      name: 'an access whose selector matches nothing',
      files: { ...apis, 'a.yaml': access('sales', 'apiSelector: { matchLabels: { module: sales } }') },
      errors: [{ message: 'APIAccess sales grants no API', line: 3, column: 19, severity: 'warning', file: 'a.yaml' }],
    },
    {
      name: 'an access with a NotIn selector that excludes every API',
      files: { ...apis, 'a.yaml': access('none', 'apiSelector: { matchExpressions: [{ key: module, operator: NotIn, values: [crm, ops] }] }') },
      errors: [{ message: 'APIAccess none grants no API', line: 3, column: 19 }],
    },
    {
      name: 'an access that grants nothing (no selector, no apis, no collections)',
      files: { ...apis, 'a.yaml': access('idle', 'operationFilter: { include: [] }') },
      errors: [{ message: 'APIAccess idle grants no API', line: 3, column: 19 }],
    },
    {
      name: 'an access whose only collection is empty: both reported',
      files: { ...apis, 'a.yaml': docs(access('crm', 'apiCollections: [{ name: crm }]'), collection('crm', '{ apiSelector: { matchLabels: { module: none } } }')) },
      errors: [
        { message: 'APIAccess crm grants no API', line: nameLine(1), column: 19 },
        { message: 'APICollection crm contains no API', line: nameLine(2), column: 19 },
      ],
    },
    {
      name: 'a rate limit whose selector matches nothing',
      files: { ...apis, 'r.yaml': rateLimit('sales', 'apiSelector: { matchLabels: { module: sales } }') },
      errors: [{ message: 'APIRateLimit sales applies to no API', line: 3, column: 19, severity: 'warning', file: 'r.yaml' }],
    },
    {
      name: 'a rate limit without selector nor apis',
      files: { ...apis, 'r.yaml': rateLimit('idle', 'strategy: local') },
      errors: [{ message: 'APIRateLimit idle applies to no API', line: 3, column: 19 }],
    },
    {
      name: 'a gateway with an empty apiAccesses list',
      files: { ...apis, 'g.yaml': gateway('gw', '{ apiAccesses: [] }') },
      errors: [{ message: 'APIGateway gw lists no existing APIAccess: it serves nothing', line: 3, column: 19, severity: 'warning', file: 'g.yaml' }],
    },
    {
      name: 'a gateway without apiAccesses',
      files: { ...apis, 'g.yaml': gateway('gw', '{ customDomains: [api.example.com] }') },
      errors: [{ message: 'APIGateway gw lists no existing APIAccess: it serves nothing', line: 3, column: 19 }],
    },
    {
      name: 'a gateway without spec',
      files: { 'g.yaml': 'apiVersion: hub.traefik.io/v1alpha1\nkind: APIGateway\nmetadata:\n  name: bare\n' },
      errors: [{ message: 'APIGateway bare lists no existing APIAccess: it serves nothing', line: 4, column: 9 }],
    },
    {
      // As for collections, accesses and rate limits, what counts is what the list resolves to;
      // the missing name itself is the reference rule's error.
      name: 'a gateway whose only listed access does not exist',
      files: { ...apis, 'g.yaml': gateway('gw', '{ apiAccesses: [missing] }') },
      errors: [{ message: 'APIGateway gw lists no existing APIAccess: it serves nothing', line: 3, column: 19 }],
    },
    {
      name: 'every childless kind in one file, in file order',
      files: {
        ...apis,
        'all.yaml': docs(
          gateway('gw', '{}'),
          access('one', 'apiSelector: { matchLabels: { module: none } }'),
          collection('c', '{}'),
          rateLimit('r', 'apis: [{ name: z, namespace: apps }]'),
        ),
      },
      errors: [
        { message: 'APIGateway gw lists no existing APIAccess: it serves nothing', line: nameLine(1), column: 19 },
        { message: 'APIAccess one grants no API', line: nameLine(2), column: 19 },
        { message: 'APICollection c contains no API', line: nameLine(3), column: 19 },
        { message: 'APIRateLimit r applies to no API', line: nameLine(4), column: 19 },
      ],
    },
  ],
});
