import { describe, expect, it } from 'vitest';
import { lintFiles, ruleTable, yaml } from '../../../test/helpers/rule-tester.js';

// Schema and validation failures, with the messages of shared/spec/resources.md. The rule's
// message is `<field path>: <message>`; a field's diagnostic points at its value, an unknown or
// legacy field's at its key, a missing field's at the key of its nearest present ancestor.

const NAMESPACED = '{ name: a, namespace: apps }';
const CLUSTER = '{ name: a }';

/**
 * A hub resource whose `spec` body (written flush left) starts on line 5, indented by two
 * columns: use `inSpec(line, column)` with positions inside that body.
 */
function hub(kind: string, spec: string, metadata = kind === 'API' || kind === 'APIVersion' ? NAMESPACED : CLUSTER): string {
  const body = spec.trimEnd().split('\n').map((line) => `  ${line}`).join('\n');
  return `apiVersion: hub.traefik.io/v1alpha1\nkind: ${kind}\nmetadata: ${metadata}\nspec:\n${body}\n`;
}

const inSpec = (line: number, column: number) => ({ line: 4 + line, column: 2 + column });

/** `metadata: { name: ` is 18 characters: the name's value is on line 3, column 19. */
const NAME = { line: 3, column: 19 };

const SERVICE = 'service: { name: app, port: { number: 80 } }';

const apisList = (count: number) => `apis:\n${Array.from({ length: count }, (_, i) => `  - name: api-${i}\n    namespace: apps`).join('\n')}`;
const domains = (count: number) => `customDomains: [${Array.from({ length: count }, (_, i) => `d${i}.example.com`).join(', ')}]`;

const SEED = yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: API
  metadata:
    name: employee-api
    namespace: apps
    labels: { area: employee, module: crm }
  spec:
    pathPrefix: "/employees"
    service:
      openApiSpec:
        path: /openapi.yaml
        port:
          number: 3000
      name: employee-app
      port:
        number: 3000
`;

const SEED_SERVICE = yaml`
  ---
  apiVersion: v1
  kind: Service
  metadata: { name: employee-app, namespace: apps }
  spec: { ports: [{ port: 3000 }] }
`;

const LEGACY_PORT = 'spec.service.openApiSpec.port: openApiSpec.port is a legacy field (removed upstream in Dec 2023): the spec is fetched from the service port';
const INVALID_NAME = (name: string) =>
  `"${name}" is not a valid name: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`;

ruleTable('resource', {
  valid: [
    { name: 'an API with a service port by number', files: hub('API', `pathPrefix: /employees\n${SERVICE}`) },
    { name: 'an API with a service port by name', files: hub('API', 'pathPrefix: /employees\nservice: { name: app, port: { name: http } }') },
    { name: 'a versioned API', files: hub('API', 'pathPrefix: /customers\ncurrentVersion: v1') },
    { name: 'path segments that only start with dots', files: hub('API', `pathPrefix: /.well-known/..foo/a..b/..c../x
${SERVICE}`) },
    { name: 'the root path', files: hub('API', `pathPrefix: /\n${SERVICE}`) },
    { name: 'a path of exactly 255 characters', files: hub('API', `pathPrefix: /${'a'.repeat(254)}\n${SERVICE}`) },
    {
      name: 'an API with every optional field',
      files: hub(
        'API',
        yaml`
          pathPrefix: /employees
          service:
            name: app
            port: { number: 80 }
            openApiSpec:
              url: https://specs.example.com/employees/openapi.yaml
              operationSets:
                - name: read-only
                  matchers:
                    - pathPrefix: /employees
                      methods: [GET, HEAD]
                    - path: /health
                    - pathRegex: ^/employees/[0-9]+$
                    - methods: [OPTIONS]
          headers:
            request: { set: { X-Forwarded-Api: employees }, delete: [X-Debug] }
            response: { set: { Cache-Control: no-store }, delete: [Server] }
          cors:
            allowCredentials: true
            allowHeaders: [Authorization]
            allowMethods: [GET]
            allowOriginList: [https://app.example.com]
            allowOriginListRegex: ['^https://.*\\.example\\.com$']
            exposeHeaders: [X-Total]
            maxAge: 600
        `,
      ),
    },
    {
      name: 'an APIVersion with routes, headers and cors',
      files: hub(
        'APIVersion',
        yaml`
          apiName: customers
          title: Customers v2
          release: v2.1.0
          stripPathPrefix: true
          routes:
            - pathPrefix: /v2
            - headers: { Version: "2" }
            - queryParams: { v: "2" }
          service: { name: app-v2, port: { name: http }, openApiSpec: { path: /openapi.json } }
          headers: { request: { set: { X-Version: "2" } } }
          cors: { allowOriginList: ["*"] }
        `,
      ),
    },
    { name: 'semver releases with pre-release and build metadata', files: hub('APIVersion', `apiName: customers\nrelease: 1.0.0-beta.1+build.5\n${SERVICE}`) },
    { name: 'ten routes', files: hub('APIVersion', `apiName: customers\n${SERVICE}\nroutes:\n${Array.from({ length: 10 }, (_, i) => `  - pathPrefix: /v${i}`).join('\n')}`) },
    { name: 'an APICollection with a selector and 100 apis', files: hub('APICollection', `pathPrefix: /crm\napiSelector: { matchLabels: { module: crm } }\n${apisList(100)}`) },
    { name: 'an APICollection with no spec', files: 'apiVersion: hub.traefik.io/v1alpha1\nkind: APICollection\nmetadata: { name: all }\n' },
    {
      name: 'an APIAccess with groups, selectors and an empty operation filter',
      files: hub('APIAccess', 'groups: [crm-user]\napiSelector: {}\napiCollectionSelector: { matchLabels: { area: crm } }\napiCollections: [{ name: crm }]\napis: [{ name: a }]\noperationFilter: { include: [] }'),
    },
    { name: 'an APIAccess for any group', files: hub('APIAccess', 'anyGroups: true\napis: [{ name: a, namespace: apps }]') },
    { name: 'an APIGateway with 20 domains, case-insensitive', files: hub('APIGateway', `apiAccesses: [crm-all]\n${domains(19).replace(']', ', API.Example.COM]')}`) },
    {
      name: 'an APIPortal with a custom UI',
      files: hub('APIPortal', 'title: Airlines\ndescription: All the APIs\napiGateway: gateway\ncustomDomains: [portal.example.com]\nui: { logoUrl: https://example.com/logo.svg, service: { name: ui, namespace: portal, port: { number: 8080 } } }'),
    },
    { name: 'an APIRateLimit at the lower bounds', files: hub('APIRateLimit', 'limit: 0\nperiod: 1s\ngroups: [crm-user]\napis: [{ name: a }]') },
    { name: 'an APIRateLimit at the upper bound', files: hub('APIRateLimit', 'limit: 100\nperiod: 1h\nstrategy: distributed\nanyGroups: true\napiSelector: {}') },
    { name: 'an APIRateLimit with a compound period and the default period', files: hub('APIRateLimit', 'limit: 5\nperiod: 1m30s') + '---\n' + hub('APIRateLimit', 'limit: 5', '{ name: b }') },
    {
      name: 'core kinds with fields gitgate does not read',
      files: yaml`
        apiVersion: v1
        kind: Service
        metadata: { name: app, namespace: apps, annotations: { note: anything } }
        spec:
          type: ClusterIP
          clusterIP: 10.0.0.1
          selector: { app: app }
          ports: [{ name: http, port: 80, targetPort: http, protocol: TCP, appProtocol: http }]
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: external, namespace: apps }
        spec: { type: ExternalName, externalName: api.example.com }
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: { name: app-1, namespace: apps, labels: { kubernetes.io/service-name: app } }
        addressType: IPv4
        endpoints: [{ addresses: [127.0.0.1], conditions: { ready: true }, nodeName: laptop }]
        ports: [{ name: http, port: 8080 }]
      `,
    },
    {
      name: 'unknown kinds are left alone',
      files: yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: Not_A_Label }
        spec: { anything: [goes, here], pathPrefix: no-slash }
        ---
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources: [api.yaml]
        ---
        apiVersion: v1
        kind: Namespace
        metadata: { name: apps }
        ---
        apiVersion: traefik.io/v1alpha1
        kind: Middleware
        metadata: { name: strip }
        spec: { stripPrefix: { prefixes: [/x] } }
        ---
        apiVersion: example.com/v1
        kind: API
        metadata: { name: same-kind-other-group }
        spec: { whatever: true }
      `,
    },
    {
      // shared/spec/resources.md: "Every other kind in the repository ... is read, counted, and
      // otherwise left alone: it is not an error". AccessControlPolicy (and EdgeIngress) are
      // hub.traefik.io/v1alpha1 kinds of the same generation (traefik/hub-crds).
      name: 'other kinds of the hub group are left alone',
      files: yaml`
        apiVersion: hub.traefik.io/v1alpha1
        kind: AccessControlPolicy
        metadata: { name: jwt }
        spec: { jwt: { signingSecret: secret } }
      `,
    },
    { name: 'documents that are not Kubernetes resources', files: 'name: ci\non: [push]\n---\n- a\n- b\n---\nplain scalar\n' },
    { name: 'a status block next to the spec', files: hub('API', `pathPrefix: /a\n${SERVICE}`) + 'status: { syncedAt: "2024-01-01" }\n' },
    { name: 'labels with prefixes and empty values', files: hub('API', `pathPrefix: /a\n${SERVICE}`, '{ name: a, namespace: apps, labels: { app.kubernetes.io/name: a, empty: "" } }') },
  ],
  invalid: [
    // --- path rules
    {
      name: 'a path prefix without a leading slash',
      files: hub('API', `pathPrefix: employees\n${SERVICE}`),
      errors: [{ message: "spec.pathPrefix: must start with a '/'", ...inSpec(1, 13), field: 'spec.pathPrefix', severity: 'error' }],
    },
    {
      name: 'a path prefix with a /../ segment',
      files: hub('API', `pathPrefix: /employees/../admin\n${SERVICE}`),
      errors: [{ message: "spec.pathPrefix: cannot contains '../'", ...inSpec(1, 13), field: 'spec.pathPrefix' }],
    },
    {
      name: 'a path prefix ending in /..',
      files: hub('API', `pathPrefix: /employees/..\n${SERVICE}`),
      errors: [{ message: "spec.pathPrefix: cannot contains '../'", ...inSpec(1, 13) }],
    },
    {
      name: 'a path of 256 characters',
      files: hub('API', `pathPrefix: /${'a'.repeat(255)}\n${SERVICE}`),
      errors: [{ message: 'spec.pathPrefix: must be at most 255 characters, not 256', ...inSpec(1, 13) }],
    },
    {
      name: 'a collection path prefix',
      files: hub('APICollection', 'pathPrefix: crm\napiSelector: {}'),
      errors: [{ message: "spec.pathPrefix: must start with a '/'", ...inSpec(1, 13), field: 'spec.pathPrefix' }],
    },
    {
      name: 'a version route path prefix',
      files: hub('APIVersion', `apiName: customers\n${SERVICE}\nroutes:\n  - pathPrefix: /v2/..`),
      errors: [{ message: "spec.routes[0].pathPrefix: cannot contains '../'", ...inSpec(4, 17), field: 'spec.routes[0].pathPrefix' }],
    },
    {
      name: 'an openApiSpec path',
      files: hub('API', 'pathPrefix: /a\nservice:\n  name: app\n  port: { number: 80 }\n  openApiSpec:\n    path: openapi.yaml'),
      errors: [{ message: "spec.service.openApiSpec.path: must start with a '/'", ...inSpec(6, 11), field: 'spec.service.openApiSpec.path' }],
    },
    {
      name: 'matcher path and pathPrefix',
      files: hub(
        'API',
        yaml`
          pathPrefix: /a
          service:
            name: app
            port: { number: 80 }
            openApiSpec:
              path: /openapi.yaml
              operationSets:
                - name: read
                  matchers:
                    - path: employees
                    - pathPrefix: /employees/../admin
        `,
      ),
      errors: [
        { message: "spec.service.openApiSpec.operationSets[0].matchers[0].path: must start with a '/'", ...inSpec(10, 19), field: 'spec.service.openApiSpec.operationSets[0].matchers[0].path' },
        { message: "spec.service.openApiSpec.operationSets[0].matchers[1].pathPrefix: cannot contains '../'", ...inSpec(11, 25) },
      ],
    },
    // --- service ports
    {
      name: 'an empty service port',
      files: hub('API', 'pathPrefix: /a\nservice: { name: app, port: {} }'),
      errors: [{ message: 'spec.service.port: name or number must be defined', ...inSpec(2, 29), field: 'spec.service.port' }],
    },
    {
      name: 'an empty APIVersion service port',
      files: hub('APIVersion', 'apiName: customers\nservice:\n  name: app\n  port: { name: null }'),
      errors: [{ message: 'spec.service.port: name or number must be defined', ...inSpec(4, 9) }],
    },
    {
      name: 'an empty portal UI service port',
      files: hub('APIPortal', 'apiGateway: gateway\nui:\n  service: { name: ui, port: {} }'),
      errors: [{ message: 'spec.ui.service.port: name or number must be defined', ...inSpec(3, 30), field: 'spec.ui.service.port' }],
    },
    {
      name: 'port numbers out of range',
      files: hub('API', 'pathPrefix: /a\nservice: { name: app, port: { number: 0 } }') + '---\n' + hub('API', 'pathPrefix: /a\nservice: { name: app, port: { number: 65536 } }', '{ name: b, namespace: apps }'),
      errors: [
        { message: 'spec.service.port.number: must be at least 1', ...inSpec(2, 39) },
        { message: 'spec.service.port.number: must be at most 65535', line: 7 + 4 + 2, column: 2 + 39 },
      ],
    },
    // --- API
    {
      name: 'an API with neither currentVersion nor service',
      files: hub('API', 'pathPrefix: /a'),
      errors: [{ message: 'spec: currentVersion or service must be defined', ...inSpec(1, 1), field: 'spec' }],
    },
    {
      name: 'an API with both currentVersion and service',
      files: hub('API', `pathPrefix: /a\n${SERVICE}\ncurrentVersion: v1`),
      errors: [{ message: 'spec.currentVersion: currentVersion and service are mutually exclusive', ...inSpec(3, 17), field: 'spec.currentVersion' }],
    },
    {
      name: 'an API with currentVersion and cors',
      files: hub('API', 'pathPrefix: /a\ncurrentVersion: v1\ncors: { allowCredentials: true }'),
      errors: [{ message: 'spec.cors: currentVersion and cors are mutually exclusive', ...inSpec(3, 7), field: 'spec.cors' }],
    },
    {
      name: 'an API with currentVersion and headers',
      files: hub('API', 'pathPrefix: /a\ncurrentVersion: v1\nheaders:\n  request: { delete: [X-Debug] }'),
      errors: [{ message: 'spec.headers: currentVersion and headers are mutually exclusive', ...inSpec(4, 3), field: 'spec.headers' }],
    },
    {
      name: 'an openApiSpec with neither path nor url',
      files: hub('API', 'pathPrefix: /a\nservice:\n  name: app\n  port: { number: 80 }\n  openApiSpec: { operationSets: [] }'),
      errors: [{ message: 'spec.service.openApiSpec: path or url must be defined', ...inSpec(5, 16), field: 'spec.service.openApiSpec' }],
    },
    {
      name: 'openApiSpec urls that are not absolute http(s) URLs',
      files:
        hub('API', 'pathPrefix: /a\nservice:\n  name: app\n  port: { number: 80 }\n  openApiSpec: { url: not a url }') +
        '---\n' +
        hub('API', 'pathPrefix: /a\nservice:\n  name: app\n  port: { number: 80 }\n  openApiSpec: { url: /openapi.yaml }', '{ name: b, namespace: apps }'),
      errors: [
        { message: 'spec.service.openApiSpec.url: must be a valid URL', ...inSpec(5, 23), field: 'spec.service.openApiSpec.url' },
        { message: 'spec.service.openApiSpec.url: must be a valid URL', line: 10 + 4 + 5, column: 2 + 23 },
      ],
    },
    {
      name: 'a matcher with two of path, pathPrefix and pathRegex',
      files: hub(
        'API',
        yaml`
          pathPrefix: /a
          service:
            name: app
            port: { number: 80 }
            openApiSpec:
              path: /openapi.yaml
              operationSets:
                - name: read
                  matchers:
                    - { path: /a, pathPrefix: /b }
                    - { pathRegex: ^/c, path: /d, methods: [GET] }
        `,
      ),
      errors: [
        { message: 'spec.service.openApiSpec.operationSets[0].matchers[0].pathPrefix: path, pathPrefix and pathRegex are mutually exclusive', ...inSpec(10, 37), field: 'spec.service.openApiSpec.operationSets[0].matchers[0].pathPrefix' },
        { message: 'spec.service.openApiSpec.operationSets[0].matchers[1].pathRegex: path, pathPrefix and pathRegex are mutually exclusive', ...inSpec(11, 26) },
      ],
    },
    {
      name: 'an empty matcher',
      files: hub('API', 'pathPrefix: /a\nservice:\n  name: app\n  port: { number: 80 }\n  openApiSpec:\n    path: /openapi.yaml\n    operationSets:\n      - name: read\n        matchers:\n          - {}'),
      errors: [{ message: 'spec.service.openApiSpec.operationSets[0].matchers[0]: a matcher must not be empty: set path, pathPrefix or pathRegex, and/or methods', ...inSpec(10, 13) }],
    },
    {
      name: 'an operation set without matchers',
      files: hub('API', 'pathPrefix: /a\nservice:\n  name: app\n  port: { number: 80 }\n  openApiSpec:\n    path: /openapi.yaml\n    operationSets:\n      - name: read\n        matchers: []'),
      errors: [{ message: 'spec.service.openApiSpec.operationSets[0].matchers: must have at least 1 matcher', ...inSpec(9, 19) }],
    },
    // --- groups, domains, rate limits, releases, list sizes
    {
      name: 'an APIAccess with groups and anyGroups',
      files: hub('APIAccess', 'groups: [crm-user]\nanyGroups: true'),
      errors: [{ message: 'spec.anyGroups: groups and anyGroups are mutually exclusive', ...inSpec(2, 12), field: 'spec.anyGroups' }],
    },
    {
      name: 'an APIRateLimit with groups and anyGroups',
      files: hub('APIRateLimit', 'limit: 1\nanyGroups: false\ngroups: [crm-user]'),
      errors: [{ message: 'spec.anyGroups: groups and anyGroups are mutually exclusive', ...inSpec(2, 12) }],
    },
    {
      name: 'gateway domains that are not domain names, at each entry',
      files: hub('APIGateway', 'customDomains:\n  - api.example.com\n  - "not a domain"\n  - "*.example.com"\n  - https://api.example.com'),
      errors: [
        { message: 'spec.customDomains[1]: custom domain must be a valid domain name', ...inSpec(3, 5), field: 'spec.customDomains[1]' },
        { message: 'spec.customDomains[2]: custom domain must be a valid domain name', ...inSpec(4, 5) },
        { message: 'spec.customDomains[3]: custom domain must be a valid domain name', ...inSpec(5, 5) },
      ],
    },
    {
      name: 'a portal domain that is not a domain name',
      files: hub('APIPortal', 'apiGateway: gateway\ncustomDomains: [portal_example.com]'),
      errors: [{ message: 'spec.customDomains[0]: custom domain must be a valid domain name', ...inSpec(2, 17) }],
    },
    {
      name: 'more than 20 domains',
      files: hub('APIGateway', domains(21)),
      errors: [{ message: 'spec.customDomains: must have at most 20 items, not 21', ...inSpec(1, 16), field: 'spec.customDomains' }],
    },
    {
      name: 'rate-limit periods outside 1s..1h',
      files: ['500ms', '2h', '1h0m1s', '0'].map((period, i) => hub('APIRateLimit', `limit: 1\nperiod: "${period}"`, `{ name: l${i} }`)).join('---\n'),
      errors: [0, 1, 2, 3].map((i) => ({ message: 'spec.period: must be between 1s and 1h', line: 6 + 7 * i, column: 11, field: 'spec.period' })),
    },
    {
      name: 'a rate-limit period that is not a duration',
      files: hub('APIRateLimit', 'limit: 1\nperiod: 5 seconds'),
      errors: [{ message: 'spec.period: "5 seconds" is not a duration: write it like 500ms, 5s, 1m or 1m30s', ...inSpec(2, 9) }],
    },
    {
      name: 'a negative limit',
      files: hub('APIRateLimit', 'limit: -1'),
      errors: [{ message: 'spec.limit: must be a positive number', ...inSpec(1, 8), field: 'spec.limit' }],
    },
    {
      name: 'an unknown strategy',
      files: hub('APIRateLimit', 'limit: 1\nstrategy: global'),
      errors: [{ message: 'spec.strategy: must be one of "local", "distributed", not string "global"', ...inSpec(2, 11) }],
    },
    {
      name: 'a missing limit, at the spec key',
      files: hub('APIRateLimit', 'period: 1s'),
      errors: [{ message: 'spec.limit: is required', line: 4, column: 1, field: 'spec.limit' }],
    },
    {
      name: 'releases that are not semver',
      files: ['1.0', 'v01.2.3', 'latest'].map((release, i) => hub('APIVersion', `apiName: customers\nrelease: "${release}"\n${SERVICE}`, `{ name: v${i}, namespace: apps }`)).join('---\n'),
      errors: [0, 1, 2].map((i) => ({ message: 'spec.release: must be a valid semver version', line: 6 + 8 * i, column: 12, field: 'spec.release' })),
    },
    {
      name: 'more than 10 routes',
      files: hub('APIVersion', `apiName: customers\n${SERVICE}\nroutes:\n${Array.from({ length: 11 }, (_, i) => `  - pathPrefix: /v${i}`).join('\n')}`),
      errors: [{ message: 'spec.routes: must have at most 10 items, not 11', ...inSpec(4, 3) }],
    },
    {
      name: 'more than 100 apis, in each kind that lists them',
      files: [hub('APIAccess', apisList(101)), hub('APICollection', apisList(101)), hub('APIRateLimit', `limit: 1\n${apisList(101)}`)].join('---\n'),
      errors: [
        { message: 'spec.apis: must have at most 100 items, not 101', ...inSpec(2, 3), field: 'spec.apis' },
        { message: 'spec.apis: must have at most 100 items, not 101', line: 208 + 4 + 2, column: 5 },
        { message: 'spec.apis: must have at most 100 items, not 101', line: 2 * 208 + 4 + 3, column: 5 },
      ],
    },
    {
      name: 'an API reference without a name',
      files: hub('APIAccess', 'apis: [{ namespace: apps }]'),
      errors: [{ message: 'spec.apis[0].name: is required', ...inSpec(1, 8) }],
    },
    // --- unknown fields, at the key
    {
      name: 'an unknown spec field',
      files: hub('API', `pathPrefix: /a\n${SERVICE}\nfoo: bar`),
      errors: [{ message: 'spec.foo: unknown field "foo"', ...inSpec(3, 1), field: 'spec.foo', severity: 'error' }],
    },
    {
      name: 'an unknown field nested in the spec',
      files: hub('API', 'pathPrefix: /a\nservice: { name: app, port: { number: 80 }, weight: 3 }'),
      errors: [{ message: 'spec.service.weight: unknown field "weight"', ...inSpec(2, 45), field: 'spec.service.weight' }],
    },
    {
      name: 'an unknown field of a cluster kind',
      files: hub('APIGateway', 'apiAccesses: [crm]\ndomains: [api.example.com]'),
      errors: [{ message: 'spec.domains: unknown field "domains"', ...inSpec(2, 1) }],
    },
    {
      name: 'a field of a later generation (exclude in operationFilter)',
      files: hub('APIAccess', 'groups: [a]\noperationFilter:\n  include: [read]\n  exclude: [write]'),
      errors: [{ message: 'spec.operationFilter.exclude: unknown field "exclude"', ...inSpec(4, 3) }],
    },
    // --- metadata
    {
      name: 'an invalid name',
      files: hub('API', `pathPrefix: /a\n${SERVICE}`, '{ name: Employee_API, namespace: apps }'),
      errors: [{ message: `metadata.name: ${INVALID_NAME('Employee_API')}`, ...NAME, field: 'metadata.name' }],
    },
    {
      name: 'a name of 64 characters',
      files: hub('APIGateway', 'apiAccesses: []', `{ name: ${'a'.repeat(64)} }`),
      errors: [{ message: 'metadata.name: must be no more than 63 characters, not 64', ...NAME }],
    },
    {
      name: 'a missing namespace on a namespaced kind, at the metadata key',
      files: hub('API', `pathPrefix: /a\n${SERVICE}`, '{ name: a }'),
      errors: [{ message: 'metadata.namespace: is required: API is a namespaced kind', line: 3, column: 1, field: 'metadata.namespace' }],
    },
    {
      name: 'an invalid namespace',
      files: hub('APIVersion', `apiName: a\n${SERVICE}`, '{ name: a, namespace: Apps }'),
      errors: [{ message: `metadata.namespace: ${INVALID_NAME('Apps')}`, line: 3, column: 33 }],
    },
    {
      name: 'a namespace on a cluster kind is ignored, with a warning at the key',
      files: hub('APIAccess', 'groups: [a]', '{ name: a, namespace: apps }'),
      errors: [{ message: 'metadata.namespace: is ignored: APIAccess is a cluster-scoped kind', line: 3, column: 22, severity: 'warning' }],
    },
    {
      name: 'a missing name',
      files: hub('API', `pathPrefix: /a\n${SERVICE}`, '{ namespace: apps }'),
      errors: [{ message: 'metadata.name: is required', line: 3, column: 1 }],
    },
    {
      name: 'a missing metadata, at the document start',
      files: 'apiVersion: hub.traefik.io/v1alpha1\nkind: APIGateway\nspec: {}\n',
      errors: [{ message: 'metadata: is required', line: 1, column: 1 }],
    },
    {
      name: 'an invalid label key, at the key',
      files: hub('API', `pathPrefix: /a\n${SERVICE}`, '{ name: a, namespace: apps, labels: { "bad key": x } }'),
      errors: [
        {
          message: `metadata.labels.bad key: label key "bad key" is invalid: its name must be 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character`,
          line: 3,
          column: 49,
        },
      ],
    },
    {
      name: 'a missing spec',
      files: 'apiVersion: hub.traefik.io/v1alpha1\nkind: API\nmetadata: { name: a, namespace: apps }\n',
      errors: [{ message: 'spec: is required', line: 1, column: 1 }],
    },
    {
      name: 'a value of the wrong type',
      files: hub('API', `pathPrefix: 5\n${SERVICE}`),
      errors: [{ message: 'spec.pathPrefix: must be a string, not number 5', ...inSpec(1, 13) }],
    },
    {
      name: 'an APIVersion without a service, at the spec key',
      files: hub('APIVersion', 'apiName: a'),
      errors: [{ message: 'spec.service: is required', line: 4, column: 1 }],
    },
    // --- apiVersion and kind
    {
      name: 'a hub kind with another version of the hub API',
      files: hub('API', `pathPrefix: /a\n${SERVICE}`).replace('v1alpha1', 'v1beta1'),
      errors: [{ message: 'apiVersion: apiVersion "hub.traefik.io/v1beta1" is not supported: gitgate reads hub.traefik.io/v1alpha1', line: 1, column: 13, field: 'apiVersion' }],
    },
    {
      name: 'a hub kind without an apiVersion',
      files: 'kind: APIAccess\nmetadata: { name: a }\nspec: { groups: [a] }\n',
      errors: [{ message: 'apiVersion: must be a string naming the API version, such as hub.traefik.io/v1alpha1', line: 1, column: 1 }],
    },
    {
      name: 'a hub apiVersion without a kind',
      files: 'apiVersion: hub.traefik.io/v1alpha1\nmetadata: { name: a }\nspec: { groups: [a] }\n',
      errors: [{ message: 'kind: must be a string naming the kind, such as API', line: 1, column: 1 }],
    },
    // --- legacy fields: warnings, at the key
    {
      name: 'the seed document: only the legacy openApiSpec.port warning',
      files: SEED + SEED_SERVICE,
      errors: [{ message: LEGACY_PORT, line: 12, column: 7, severity: 'warning', field: 'spec.service.openApiSpec.port' }],
    },
    {
      name: 'the legacy openApiSpec.protocol',
      files: hub('APIVersion', 'apiName: a\nservice:\n  name: app\n  port: { number: 80 }\n  openApiSpec: { path: /openapi.yaml, protocol: http }'),
      errors: [{ message: 'spec.service.openApiSpec.protocol: openApiSpec.protocol is a legacy field (removed upstream in Dec 2023)', ...inSpec(5, 39), severity: 'warning', field: 'spec.service.openApiSpec.protocol' }],
    },
    {
      name: 'a legacy field that is also invalid',
      files: hub('API', 'pathPrefix: /a\nservice:\n  name: app\n  port: { number: 80 }\n  openApiSpec:\n    path: /openapi.yaml\n    port: {}'),
      errors: [
        { message: LEGACY_PORT, ...inSpec(7, 5), severity: 'warning' },
        { message: 'spec.service.openApiSpec.port: name or number must be defined', ...inSpec(7, 11), severity: 'error' },
      ],
    },
  ],
});

describe('rule resource: the seed document', () => {
  it('with its Service, lints with no error and only the legacy warning besides orphan', () => {
    // orphan rightly warns that nothing exposes a lone API; every other rule must be silent.
    const diagnostics = lintFiles(SEED + SEED_SERVICE).filter((d) => d.rule !== 'orphan');
    expect(diagnostics).toEqual([
      {
        rule: 'resource',
        severity: 'warning',
        message: LEGACY_PORT,
        file: 'test.yaml',
        line: 12,
        column: 7,
        resource: { kind: 'API', namespace: 'apps', name: 'employee-api' },
        field: 'spec.service.openApiSpec.port',
      },
    ]);
  });
});
