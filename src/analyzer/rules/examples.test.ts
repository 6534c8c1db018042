import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lintFiles, yaml } from '../../../test/helpers/rule-tester.js';
import { createGraph, loadSources, readSourceDir } from '../../model/index.js';
import { lint, type Diagnostic } from '../index.js';

const AIRLINES = fileURLToPath(new URL('../../../examples/airlines', import.meta.url));

const brief = (d: Diagnostic) => `${d.file}:${d.line}:${d.column} ${d.severity} [${d.rule}] ${d.field ?? '-'}`;

describe('examples/airlines', () => {
  it('lints with no error and only the legacy-field warning of the seed document', async () => {
    const read = await readSourceDir(AIRLINES);
    expect(read.problems).toEqual([]);
    const loaded = loadSources(read.inputs);
    const result = lint(createGraph({ ...loaded, fileProblems: [...read.problems, ...loaded.fileProblems] }));

    expect(result.diagnostics.map(brief)).toEqual(['apps/employee/api.yaml:14:7 warning [resource] spec.service.openApiSpec.port']);
    expect(result.diagnostics[0]!.message).toMatch(/legacy field/);
    expect(result.summary).toMatchObject({ errors: 0, warnings: 1, files: read.inputs.length });
  });

  it('exercises every kind the issue asks of the example', async () => {
    const read = await readSourceDir(AIRLINES);
    const graph = createGraph(loadSources(read.inputs));
    for (const kind of ['API', 'APIVersion', 'APICollection', 'APIAccess', 'APIGateway', 'APIPortal', 'APIRateLimit', 'Service', 'EndpointSlice'] as const) {
      expect(graph.list(kind).length, kind).toBeGreaterThan(0);
    }
    // Without these, a rule that never fires would still lint the example clean.
    expect(graph.list('API').some((api) => api.spec.currentVersion !== undefined)).toBe(true);
    expect(graph.list('APIAccess').some((access) => (access.spec.operationFilter?.include ?? []).length > 0)).toBe(true);
    expect(graph.list('APICollection').some((collection) => collection.spec.pathPrefix !== undefined)).toBe(true);
  });
});

// The seed document of shared/spec/resources.md, verbatim.
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

const SERVICE = yaml`
  apiVersion: v1
  kind: Service
  metadata: { name: employee-app, namespace: apps }
  spec:
    ports:
      - port: 3000
`;

// What makes the seed's API reachable ("route /employees/... to the Service"): without a
// gateway the orphan rule rightly warns that nothing exposes it.
const EXPOSURE = yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIAccess
  metadata: { name: employees }
  spec: { groups: [hr], apis: [{ name: employee-api, namespace: apps }] }
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIGateway
  metadata: { name: gateway }
  spec: { apiAccesses: [employees] }
`;

const LEGACY = 'seed.yaml:12:7 warning [resource] spec.service.openApiSpec.port';

describe('the seed document', () => {
  it('with a matching Service, lints with no error', () => {
    const diagnostics = lintFiles({ 'seed.yaml': SEED, 'service.yaml': SERVICE });
    expect(diagnostics.filter((d) => d.severity === 'error').map(brief)).toEqual([]);
    expect(diagnostics.map(brief)).toContain(LEGACY);
  });

  it('with a matching Service and a gateway that exposes it, lints clean apart from the legacy-field warning', () => {
    const diagnostics = lintFiles({ 'seed.yaml': SEED, 'service.yaml': SERVICE, 'gateway.yaml': EXPOSURE });
    expect(diagnostics.map(brief)).toEqual([LEGACY]);
    expect(diagnostics[0]!.message).toMatch(/legacy field/);
  });

  it('with a matching Service alone, the only other finding is that no gateway exposes it', () => {
    const diagnostics = lintFiles({ 'seed.yaml': SEED, 'service.yaml': SERVICE });
    expect(diagnostics.map((d) => `${brief(d)} ${d.message}`)).toEqual([
      'seed.yaml:4:9 warning [orphan] - API apps/employee-api is not exposed by any APIGateway through an APIAccess',
      `${LEGACY} ${diagnostics.find((d) => d.rule === 'resource')?.message ?? ''}`,
    ]);
  });

  it('without the Service, the missing Service is an error', () => {
    const diagnostics = lintFiles({ 'seed.yaml': SEED, 'gateway.yaml': EXPOSURE });
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => `${brief(d)} ${d.message}`)).toEqual([
      'seed.yaml:14:11 error [reference] spec.service.name resource apps/employee-app (Service) not found on field "service.name" in resource apps/employee-api (API)',
    ]);
  });
});
