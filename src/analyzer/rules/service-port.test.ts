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

/** An API in `apps` whose service block is written on spec lines 2-4: `port: ` puts its value at column 9. */
const api = (service: string, port: string, extra = '') => hub('API', 'a', `pathPrefix: /a\nservice:\n  name: ${service}\n  port: ${port}${extra}`, 'apps');

/** The Services every case can point at; they go after the document under test. */
const services = yaml`
  ---
  apiVersion: v1
  kind: Service
  metadata: { name: app, namespace: apps }
  spec:
    ports:
      - { name: http, port: 80, targetPort: 8080 }
      - { name: metrics, port: 9090 }
  ---
  apiVersion: v1
  kind: Service
  metadata: { name: external, namespace: apps }
  spec: { type: ExternalName, externalName: api.example.com }
  ---
  apiVersion: v1
  kind: Service
  metadata: { name: external-tls, namespace: apps }
  spec: { type: ExternalName, externalName: api.example.com, ports: [{ name: https, port: 443 }] }
  ---
  apiVersion: v1
  kind: Service
  metadata: { name: ui, namespace: default }
  spec: { ports: [{ port: 3000 }] }
  ---
  apiVersion: v1
  kind: Service
  metadata: { name: broken, namespace: apps }
  spec: not a map
`;

ruleTable('service-port', {
  valid: [
    { name: 'a port by number', files: api('app', '{ number: 80 }') + services },
    { name: 'a port by name', files: api('app', '{ name: metrics }') + services },
    { name: 'a port by name and number, on the same Service port', files: api('app', '{ name: http, number: 80 }') + services },
    { name: 'an APIVersion port', files: hub('APIVersion', 'v1', 'apiName: a\nservice: { name: app, port: { name: http } }', 'apps') + services },
    {
      name: 'the legacy openApiSpec.port when the Service has it',
      files: api('app', '{ number: 80 }', '\n  openApiSpec:\n    path: /openapi.yaml\n    port: { number: 9090 }') + services,
    },
    { name: 'an ExternalName Service without ports takes a port number as is', files: api('external', '{ number: 443 }') + services },
    { name: 'an ExternalName Service with ports, by name', files: api('external-tls', '{ name: https }') + services },
    { name: 'a Service that does not exist is the reference rule’s business', files: api('missing', '{ number: 80 }') + services },
    { name: 'a Service that exists but is invalid', files: api('broken', '{ number: 80 }') + services },
    { name: 'a Service in another namespace is not the API’s', files: hub('API', 'a', 'pathPrefix: /a\nservice: { name: ui, port: { number: 1 } }', 'apps') + services },
    {
      name: 'a portal UI service, in default or a named namespace',
      files:
        hub('APIPortal', 'portal', 'apiGateway: gateway\nui: { service: { name: ui, port: { number: 3000 } } }') +
        '---\n' +
        hub('APIPortal', 'portal-2', 'apiGateway: gateway\nui: { service: { name: app, namespace: apps, port: { name: http } } }') +
        services,
    },
  ],
  invalid: [
    {
      name: 'a port number the Service does not declare (its targetPort does not count)',
      files: api('app', '{ number: 8080 }') + services,
      errors: [
        {
          message: 'port 8080 not found in resource apps/app (Service) on field "service.port.number" in resource apps/a (API)',
          ...inSpec(4, 19),
          field: 'spec.service.port.number',
          severity: 'error',
        },
      ],
    },
    {
      name: 'a port name the Service does not declare',
      files: api('app', '\n    name: grpc') + services,
      errors: [{ message: 'port "grpc" not found in resource apps/app (Service) on field "service.port.name" in resource apps/a (API)', ...inSpec(5, 11), field: 'spec.service.port.name' }],
    },
    {
      name: 'a port name of a Service port that has no name',
      files: hub('APIPortal', 'portal', 'apiGateway: gateway\nui:\n  service:\n    name: ui\n    port: { name: http }') + services,
      errors: [{ message: 'port "http" not found in resource default/ui (Service) on field "ui.service.port.name" in resource portal (APIPortal)', ...inSpec(5, 19), field: 'spec.ui.service.port.name' }],
    },
    {
      name: 'an APIVersion port',
      files: hub('APIVersion', 'v1', 'apiName: a\nservice: { name: app, port: { number: 443 } }', 'apps') + services,
      errors: [{ message: 'port 443 not found in resource apps/app (Service) on field "service.port.number" in resource apps/v1 (APIVersion)', ...inSpec(2, 39), field: 'spec.service.port.number' }],
    },
    {
      // The legacy field is ignored (the spec is fetched from service.port) and resources.md says
      // to accept it "with a warning, never an error": a stale legacy port is worth a warning only.
      name: 'the legacy openApiSpec.port when the Service does not have it, as a warning',
      files: api('app', '{ number: 80 }', '\n  openApiSpec:\n    path: /openapi.yaml\n    port:\n      number: 3000') + services,
      errors: [
        {
          message: 'port 3000 not found in resource apps/app (Service) on field "service.openApiSpec.port.number" in resource apps/a (API)',
          ...inSpec(8, 15),
          field: 'spec.service.openApiSpec.port.number',
          severity: 'warning',
        },
      ],
    },
    {
      name: 'an ExternalName Service without ports cannot resolve a port name',
      files: api('external', '{ name: https }') + services,
      errors: [{ message: 'port "https" not found in resource apps/external (Service) on field "service.port.name" in resource apps/a (API)', ...inSpec(4, 17) }],
    },
    {
      name: 'an ExternalName Service with ports is held to them',
      files: api('external-tls', '{ number: 8443 }') + services,
      errors: [{ message: 'port 8443 not found in resource apps/external-tls (Service) on field "service.port.number" in resource apps/a (API)', ...inSpec(4, 19) }],
    },
    {
      name: 'a portal UI service port, in default and in a named namespace',
      files:
        hub('APIPortal', 'portal', 'apiGateway: gateway\nui: { service: { name: ui, port: { number: 8080 } } }') +
        '---\n' +
        hub('APIPortal', 'portal-2', 'apiGateway: gateway\nui: { service: { name: app, namespace: apps, port: { name: admin } } }') +
        services,
      errors: [
        { message: 'port 8080 not found in resource default/ui (Service) on field "ui.service.port.number" in resource portal (APIPortal)', ...inSpec(2, 44), field: 'spec.ui.service.port.number' },
        { message: 'port "admin" not found in resource apps/app (Service) on field "ui.service.port.name" in resource portal-2 (APIPortal)', line: 7 + 4 + 2, column: 2 + 60 },
      ],
    },
  ],
});
