import { ruleTable, yaml } from '../../../test/helpers/rule-tester.js';

// The access comes first so its lines stay fixed whatever follows: the include list is on line 8, its first flow entry at column 15.
const access = (selection: string, include: string) => yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIAccess
  metadata: { name: support }
  spec:
    groups: [support]
    ${selection}
    operationFilter:
      include: ${include}
`;

// flights (label area=flights) defines read-only; tickets (area=tickets) defines refunds;
// customers is versioned and only its version v1 defines v1-read; the collection ops holds flights.
const apis = yaml`
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: API
  metadata: { name: flights, namespace: apps, labels: { area: flights } }
  spec:
    pathPrefix: /flights
    service:
      name: flight-app
      port: { number: 80 }
      openApiSpec:
        path: /openapi.yaml
        operationSets:
          - name: read-only
            matchers: [{ pathPrefix: /flights, methods: [GET, HEAD] }]
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: API
  metadata: { name: tickets, namespace: apps, labels: { area: tickets } }
  spec:
    pathPrefix: /tickets
    service:
      name: ticket-app
      port: { number: 80 }
      openApiSpec:
        path: /openapi.yaml
        operationSets:
          - name: refunds
            matchers: [{ pathPrefix: /tickets/refunds, methods: [POST] }]
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: API
  metadata: { name: customers, namespace: apps, labels: { area: customers } }
  spec: { pathPrefix: /customers, currentVersion: v1 }
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIVersion
  metadata: { name: v1, namespace: apps }
  spec:
    apiName: customers
    service:
      name: customer-app
      port: { number: 80 }
      openApiSpec:
        path: /openapi.yaml
        operationSets:
          - name: v1-read
            matchers: [{ pathPrefix: /customers, methods: [GET] }]
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: APICollection
  metadata: { name: ops, labels: { module: ops } }
  spec:
    apiSelector: { matchLabels: { area: flights } }
`;

const flightsByName = 'apis: [{ name: flights, namespace: apps }]';

ruleTable('operation-set', {
  valid: [
    { name: 'defined by an API named in apis', files: access(flightsByName, '[read-only]') + apis },
    { name: 'defined by an API picked by apiSelector', files: access('apiSelector: { matchLabels: { area: tickets } }', '[refunds]') + apis },
    { name: 'defined by one of several selected APIs', files: access('apiSelector: {}', '[read-only, refunds, v1-read]') + apis },
    { name: 'defined by a version of a selected versioned API', files: access('apis: [{ name: customers, namespace: apps }]', '[v1-read]') + apis },
    { name: 'defined by an API granted through a named collection', files: access('apiCollections: [{ name: ops }]', '[read-only]') + apis },
    { name: 'defined by an API granted through a collection selector', files: access('apiCollectionSelector: { matchLabels: { module: ops } }', '[read-only]') + apis },
    { name: 'an empty include list names nothing', files: access(flightsByName, '[]') + apis },
  ],
  invalid: [
    {
      name: 'defined only by an API the access does not select',
      files: access(flightsByName, '[read-only, refunds]') + apis,
      errors: [
        {
          message: 'operation set "refunds" is not defined by any API selected by support',
          line: 8,
          column: 26,
          severity: 'error',
          field: 'spec.operationFilter.include[1]',
        },
      ],
    },
    {
      name: 'defined only by a version of an API the access does not select',
      files: access(flightsByName, '[v1-read]') + apis,
      errors: [{ message: 'operation set "v1-read" is not defined by any API selected by support', line: 8, column: 15 }],
    },
    {
      name: 'defined by no API at all, each entry reported at itself',
      files: access('apiSelector: {}', '\n        - read-only\n        - write\n        - admin') + apis,
      errors: [
        { message: 'operation set "write" is not defined by any API selected by support', line: 10, column: 9 },
        { message: 'operation set "admin" is not defined by any API selected by support', line: 11, column: 9 },
      ],
    },
    {
      name: 'a collection that holds other APIs does not help',
      files: access('apiCollections: [{ name: ops }]', '[refunds]') + apis,
      errors: [{ message: 'operation set "refunds" is not defined by any API selected by support', line: 8, column: 15 }],
    },
    {
      name: 'an access that selects no API defines no operation set',
      files: access('apiSelector: { matchLabels: { area: nothing } }', '[read-only]') + apis,
      errors: [{ message: 'operation set "read-only" is not defined by any API selected by support', line: 8, column: 15 }],
    },
  ],
});
