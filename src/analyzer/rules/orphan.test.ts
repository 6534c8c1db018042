import { ruleTable, yaml } from '../../../test/helpers/rule-tester.js';

// Every builder writes one compact document whose metadata.name value is on its line 3, column
// 19 (`metadata: { name: ` is 18 characters); `docs` joins documents with a separator line.

const docs = (...parts: string[]) => parts.join('---\n');

const gateway = (name: string, accesses: readonly string[]) => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIGateway
  metadata: { name: ${name} }
  spec: { apiAccesses: [${accesses.join(', ')}] }
`;

const access = (name: string, grants: string) => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIAccess
  metadata: { name: ${name} }
  spec: { groups: [dev], ${grants} }
`;

const collection = (name: string, labels: string, apis: string) => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: APICollection
  metadata: { name: ${name}, labels: ${labels} }
  spec: { apis: ${apis} }
`;

const api = (name: string, labels = '{}') => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: API
  metadata: { name: ${name}, namespace: apps, labels: ${labels} }
  spec:
    pathPrefix: /${name}
    service: { name: app, port: { number: 80 } }
`;

const versionedApi = (name: string) => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: API
  metadata: { name: ${name}, namespace: apps }
  spec: { pathPrefix: /${name}, currentVersion: v1 }
`;

/** A version: its apiName value is on line 5, column 12. */
const version = (name: string, apiName: string) => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIVersion
  metadata: { name: ${name}, namespace: apps }
  spec:
    apiName: ${apiName}
    service: { name: app, port: { number: 80 } }
`;

const byName = (name: string) => `apis: [{ name: ${name}, namespace: apps }]`;

/** gw lists `all`, which grants every API: every API is exposed, every access listed. */
const exposed = { 'gateway.yaml': docs(gateway('gw', ['all']), access('all', 'apiSelector: {}')) };

ruleTable('orphan', {
  valid: [
    { name: 'an API exposed through a listed access', files: { ...exposed, 'apis.yaml': api('a') } },
    {
      name: 'an API exposed through a collection of a listed access',
      files: {
        'gateway.yaml': docs(gateway('gw', ['crm']), access('crm', 'apiCollections: [{ name: crm }]')),
        'apis.yaml': docs(api('a'), collection('crm', '{}', `[{ name: a, namespace: apps }]`)),
      },
    },
    {
      name: 'a collection reached by name',
      files: { ...exposed, 'more.yaml': docs(access('crm', 'apiCollections: [{ name: crm }]'), gateway('gw2', ['crm']), collection('crm', '{}', '[{ name: a, namespace: apps }]'), api('a')) },
    },
    {
      name: 'a collection reached by label',
      files: { ...exposed, 'more.yaml': docs(access('crm', 'apiCollectionSelector: { matchLabels: { module: crm } }'), gateway('gw2', ['crm']), collection('crm', '{ module: crm }', '[]'), api('a')) },
    },
    { name: 'a collection reached by an empty collection selector', files: { ...exposed, 'more.yaml': docs(access('any', 'apiCollectionSelector: {}'), gateway('gw2', ['any']), collection('crm', '{}', '[]')) } },
    { name: 'a version of a versioned API', files: { ...exposed, 'customers.yaml': docs(versionedApi('customers'), version('v1', 'customers'), version('v2', 'customers')) } },
    { name: 'a version whose API does not exist is left to the reference rule', files: { ...exposed, 'v.yaml': version('v1', 'missing') } },
    { name: 'an access listed by one of two gateways', files: { ...exposed, 'more.yaml': docs(gateway('gw2', ['all', 'other']), access('other', byName('a')), api('a')) } },
  ],
  invalid: [
    {
      name: 'an access no gateway lists, at its name',
      files: { ...exposed, 'access.yaml': access('forgotten', 'apiSelector: {}') },
      errors: [{ message: 'APIAccess forgotten is not listed by any APIGateway: it has no effect', line: 3, column: 19, severity: 'warning', file: 'access.yaml' }],
    },
    {
      name: 'an access when there is no gateway at all',
      files: { 'access.yaml': access('alone', 'apiSelector: {}') },
      errors: [{ message: 'APIAccess alone is not listed by any APIGateway: it has no effect', line: 3, column: 19, severity: 'warning' }],
    },
    {
      name: 'a collection no access reaches, neither by name nor by label',
      files: {
        ...exposed,
        'collections.yaml': docs(
          access('crm', 'apiCollections: [{ name: crm }], apiCollectionSelector: { matchLabels: { module: crm } }'),
          collection('crm', '{}', '[]'),
          collection('sales', '{ module: sales }', '[{ name: a, namespace: apps }]'),
          api('a'),
        ),
      },
      errors: [
        { message: 'APIAccess crm is not listed by any APIGateway: it has no effect', line: 3, column: 19, severity: 'warning' },
        { message: 'APICollection sales is not reached by any APIAccess', line: 13, column: 19, severity: 'warning', file: 'collections.yaml' },
      ],
    },
    {
      name: 'an API when there is no access at all',
      files: { 'apis.yaml': api('a') },
      errors: [{ message: 'API apps/a is not exposed by any APIGateway through an APIAccess', line: 3, column: 19, severity: 'warning' }],
    },
    {
      name: 'an API that no access grants',
      files: { 'gateway.yaml': docs(gateway('gw', ['some']), access('some', byName('a'))), 'apis.yaml': docs(api('a'), api('b')) },
      errors: [{ message: 'API apps/b is not exposed by any APIGateway through an APIAccess', line: 10, column: 19, file: 'apis.yaml' }],
    },
    {
      name: 'an API granted only by an access no gateway lists',
      files: { 'gateway.yaml': docs(gateway('gw', ['some']), access('some', byName('a'))), 'apis.yaml': docs(api('a'), api('b'), access('unlisted', byName('b'))) },
      errors: [
        { message: 'API apps/b is not exposed by any APIGateway through an APIAccess', line: 10, column: 19 },
        { message: 'APIAccess unlisted is not listed by any APIGateway: it has no effect', line: 17, column: 19 },
      ],
    },
    {
      name: 'an API in a collection that only an unlisted access reaches',
      files: {
        'gateway.yaml': docs(gateway('gw', ['some']), access('some', byName('a'))),
        'apis.yaml': docs(api('a'), api('b'), collection('c', '{}', '[{ name: b, namespace: apps }]'), access('unlisted', 'apiCollections: [{ name: c }]')),
      },
      errors: [
        { message: 'API apps/b is not exposed by any APIGateway through an APIAccess', line: 10, column: 19 },
        { message: 'APIAccess unlisted is not listed by any APIGateway: it has no effect', line: 22, column: 19 },
      ],
    },
    {
      name: 'an API whose gateway lists an access that does not exist',
      files: { 'gateway.yaml': gateway('gw', ['missing']), 'apis.yaml': api('a') },
      errors: [{ message: 'API apps/a is not exposed by any APIGateway through an APIAccess', line: 3, column: 19 }],
    },
    {
      name: 'a version of an API that has service, not currentVersion, at spec.apiName',
      files: { ...exposed, 'apis.yaml': docs(api('a'), version('v1', 'a')) },
      errors: [
        {
          message: 'APIVersion apps/v1 belongs to API apps/a, which is not versioned (it has service, not currentVersion): the version is never served',
          line: 12,
          column: 12,
          severity: 'warning',
          field: 'spec.apiName',
          file: 'apis.yaml',
        },
      ],
    },
  ],
});
