import { ruleTable, yaml } from '../../../test/helpers/rule-tester.js';

/**
 * A hub resource whose `spec` body (written flush left) starts on line 5, indented by two
 * columns: `inSpec(line, column)` converts a position inside that body.
 */
function hub(kind: string, name: string, spec: string, namespace?: string): string {
  const body = spec.trimEnd().split('\n').map((line) => `  ${line}`).join('\n');
  const metadata = namespace === undefined ? `{ name: ${name} }` : `{ name: ${name}, namespace: ${namespace} }`;
  return `apiVersion: hub.traefik.io/v1alpha1\nkind: ${kind}\nmetadata: ${metadata}\nspec:\n${body}\n`;
}

const inSpec = (line: number, column: number) => ({ line: 4 + line, column: 2 + column });

/** What every case can point at; it goes after the document under test, so positions start at line 1. */
const world = yaml`
  ---
  apiVersion: v1
  kind: Service
  metadata: { name: employee-app, namespace: apps }
  spec: { ports: [{ name: http, port: 3000 }] }
  ---
  apiVersion: v1
  kind: Service
  metadata: { name: ui, namespace: default }
  spec: { ports: [{ port: 8080 }] }
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: API
  metadata: { name: employee-api, namespace: apps }
  spec: { pathPrefix: /employees, service: { name: employee-app, port: { number: 3000 } } }
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: API
  metadata: { name: public-api, namespace: default }
  spec: { pathPrefix: /public, service: { name: ui, port: { number: 8080 } } }
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: API
  metadata: { name: customers, namespace: apps }
  spec: { pathPrefix: /customers, currentVersion: customers-v1 }
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIVersion
  metadata: { name: customers-v1, namespace: apps }
  spec: { apiName: customers, service: { name: employee-app, port: { name: http } } }
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: APICollection
  metadata: { name: crm }
  spec: { apis: [{ name: employee-api, namespace: apps }] }
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIAccess
  metadata: { name: crm-all }
  spec: { groups: [crm], apiCollections: [{ name: crm }] }
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIGateway
  metadata: { name: gateway }
  spec: { apiAccesses: [crm-all] }
`;

/** Resources that exist but whose spec cannot be decoded: references to them still resolve. */
const invalidTargets = yaml`
  ---
  apiVersion: v1
  kind: Service
  metadata: { name: broken-app, namespace: apps }
  spec: not a map
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: API
  metadata: { name: broken-api, namespace: apps }
  spec: { service: { name: employee-app, port: { number: 3000 } } }
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIVersion
  metadata: { name: broken-v1, namespace: apps }
  spec: { apiName: broken-api }
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: APICollection
  metadata: { name: broken-collection }
  spec: [not, a, map]
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIAccess
  metadata: { name: broken-access }
  spec: [not, a, map]
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIGateway
  metadata: { name: broken-gateway }
  spec: [not, a, map]
`;

ruleTable('reference', {
  valid: [
    { name: 'every reference of a small repository resolves', files: world },
    {
      name: 'an omitted apis namespace resolves in default',
      files: hub('APIAccess', 'public', 'anyGroups: true\napis: [{ name: public-api }]') + world,
    },
    {
      name: 'a portal and its UI service, in default or a named namespace',
      files:
        hub('APIPortal', 'portal', 'apiGateway: gateway\nui: { service: { name: ui, port: { number: 8080 } } }') +
        '---\n' +
        hub('APIPortal', 'portal-2', 'apiGateway: gateway\nui: { service: { name: employee-app, namespace: apps, port: { name: http } } }') +
        world,
    },
    {
      name: 'references to resources that exist but are invalid',
      files:
        hub('API', 'uses-broken-service', 'pathPrefix: /b\nservice: { name: broken-app, port: { number: 80 } }', 'apps') +
        '---\n' +
        hub('API', 'uses-broken-version', 'pathPrefix: /c\ncurrentVersion: broken-v1', 'apps') +
        '---\n' +
        hub('APIVersion', 'v2', 'apiName: broken-api\nservice: { name: broken-app, port: { number: 80 } }', 'apps') +
        '---\n' +
        hub('APIAccess', 'access', 'anyGroups: true\napis: [{ name: broken-api, namespace: apps }]\napiCollections: [{ name: broken-collection }]') +
        '---\n' +
        hub('APIRateLimit', 'limit', 'limit: 1\nanyGroups: true\napis: [{ name: broken-api, namespace: apps }]') +
        '---\n' +
        hub('APIGateway', 'gateway-2', 'apiAccesses: [broken-access]') +
        '---\n' +
        hub('APIPortal', 'portal', 'apiGateway: broken-gateway\nui: { service: { name: broken-app, namespace: apps, port: { number: 80 } } }') +
        world +
        invalidTargets,
    },
  ],
  invalid: [
    {
      name: 'service.name, in the upstream message form',
      files: hub('API', 'employee-api', 'pathPrefix: /employees\nservice:\n  name: employee-app-something\n  port: { number: 3000 }', 'apps'),
      errors: [
        {
          message: 'resource apps/employee-app-something (Service) not found on field "service.name" in resource apps/employee-api (API)',
          ...inSpec(3, 9),
          field: 'spec.service.name',
          severity: 'error',
        },
      ],
    },
    {
      name: 'a Service of the same name in another namespace does not count',
      files: hub('API', 'hr-api', 'pathPrefix: /hr\nservice: { name: employee-app, port: { number: 3000 } }', 'hr') + world,
      errors: [{ message: 'resource hr/employee-app (Service) not found on field "service.name" in resource hr/hr-api (API)', ...inSpec(2, 18) }],
    },
    {
      name: 'a currentVersion that does not exist',
      files: hub('API', 'orders', 'pathPrefix: /orders\ncurrentVersion: orders-v9', 'apps') + world,
      errors: [{ message: 'resource apps/orders-v9 (APIVersion) not found on field "currentVersion" in resource apps/orders (API)', ...inSpec(2, 17), field: 'spec.currentVersion' }],
    },
    {
      name: 'a currentVersion that is a version of another API',
      files: hub('API', 'orders', 'pathPrefix: /orders\ncurrentVersion: customers-v1', 'apps') + world,
      errors: [
        {
          message: 'resource apps/customers-v1 (APIVersion) on field "currentVersion" in resource apps/orders (API) is a version of API apps/customers, not of this API',
          ...inSpec(2, 17),
          field: 'spec.currentVersion',
        },
      ],
    },
    {
      name: 'an apiName that does not exist, and the version service',
      files: hub('APIVersion', 'orders-v1', 'apiName: orders\nservice: { name: orders-app, port: { number: 80 } }', 'apps') + world,
      errors: [
        { message: 'resource apps/orders (API) not found on field "apiName" in resource apps/orders-v1 (APIVersion)', ...inSpec(1, 10), field: 'spec.apiName' },
        { message: 'resource apps/orders-app (Service) not found on field "service.name" in resource apps/orders-v1 (APIVersion)', ...inSpec(2, 18), field: 'spec.service.name' },
      ],
    },
    {
      name: 'apis entries of an APIAccess, at each entry (an omitted namespace is default)',
      files: hub('APIAccess', 'access', 'groups: [crm]\napis:\n  - name: employee-api\n  - name: employee-api\n    namespace: apps\n  - { name: nope, namespace: apps }') + world,
      errors: [
        { message: 'resource default/employee-api (API) not found on field "apis[0]" in resource access (APIAccess)', ...inSpec(3, 5), field: 'spec.apis[0]' },
        { message: 'resource apps/nope (API) not found on field "apis[2]" in resource access (APIAccess)', ...inSpec(6, 5), field: 'spec.apis[2]' },
      ],
    },
    {
      name: 'apis entries of an APICollection and an APIRateLimit',
      files: hub('APICollection', 'hr', 'apis: [{ name: payroll, namespace: hr }]') + '---\n' + hub('APIRateLimit', 'slow', 'limit: 1\nanyGroups: true\napis: [{ name: payroll }]') + world,
      errors: [
        { message: 'resource hr/payroll (API) not found on field "apis[0]" in resource hr (APICollection)', ...inSpec(1, 8), field: 'spec.apis[0]' },
        { message: 'resource default/payroll (API) not found on field "apis[0]" in resource slow (APIRateLimit)', line: 6 + 4 + 3, column: 2 + 8 },
      ],
    },
    {
      name: 'apiCollections entries',
      files: hub('APIAccess', 'access', 'groups: [crm]\napiCollections: [{ name: crm }, { name: hr }]') + world,
      errors: [{ message: 'resource hr (APICollection) not found on field "apiCollections[1]" in resource access (APIAccess)', ...inSpec(2, 33), field: 'spec.apiCollections[1]' }],
    },
    {
      name: 'apiAccesses entries',
      files: hub('APIGateway', 'gateway-2', 'apiAccesses:\n  - crm-all\n  - hr-all') + world,
      errors: [{ message: 'resource hr-all (APIAccess) not found on field "apiAccesses[1]" in resource gateway-2 (APIGateway)', ...inSpec(3, 5), field: 'spec.apiAccesses[1]' }],
    },
    {
      name: 'a portal apiGateway',
      files: hub('APIPortal', 'portal', 'title: Portal\napiGateway: main-gateway') + world,
      errors: [{ message: 'resource main-gateway (APIGateway) not found on field "apiGateway" in resource portal (APIPortal)', ...inSpec(2, 13), field: 'spec.apiGateway' }],
    },
    {
      name: 'a portal ui.service, in default or a named namespace',
      files:
        hub('APIPortal', 'portal', 'apiGateway: gateway\nui:\n  service:\n    name: employee-app\n    port: { number: 3000 }') +
        '---\n' +
        hub('APIPortal', 'portal-2', 'apiGateway: gateway\nui: { service: { name: ui, namespace: portal, port: { number: 8080 } } }') +
        world,
      errors: [
        { message: 'resource default/employee-app (Service) not found on field "ui.service.name" in resource portal (APIPortal)', ...inSpec(4, 11), field: 'spec.ui.service.name' },
        { message: 'resource portal/ui (Service) not found on field "ui.service.name" in resource portal-2 (APIPortal)', line: 10 + 4 + 2, column: 2 + 24 },
      ],
    },
  ],
});
