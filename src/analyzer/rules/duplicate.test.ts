import { ruleTable } from '../../../test/helpers/rule-tester.js';

/**
 * A hub resource whose `spec` body (written flush left) starts on line 5, indented by two
 * columns: `inSpec(line, column)` converts a position inside that body. Its name is on line 3,
 * column 19.
 */
function hub(kind: string, name: string, spec: string, namespace?: string): string {
  const body = spec.trimEnd().split('\n').map((line) => `  ${line}`).join('\n');
  const metadata = namespace === undefined ? `{ name: ${name} }` : `{ name: ${name}, namespace: ${namespace} }`;
  return `apiVersion: hub.traefik.io/v1alpha1\nkind: ${kind}\nmetadata: ${metadata}\nspec:\n${body}\n`;
}

const inSpec = (line: number, column: number) => ({ line: 4 + line, column: 2 + column });

const api = (name: string, namespace = 'apps') => hub('API', name, 'pathPrefix: /a\nservice: { name: app, port: { number: 80 } }', namespace);
/** An API document is 6 lines; joined with `---`, document i starts on line 1 + 7i. */
const docs = (...documents: string[]) => documents.join('---\n');

ruleTable('duplicate', {
  valid: [
    { name: 'different names', files: docs(api('a'), api('b')) },
    { name: 'the same name in two namespaces', files: docs(api('a', 'apps'), api('a', 'crm')) },
    {
      name: 'the same name for different kinds',
      files: docs(api('a'), hub('APIVersion', 'a', 'apiName: a\nservice: { name: a, port: { number: 80 } }', 'apps'), hub('APIAccess', 'a', 'groups: [a]'), 'apiVersion: v1\nkind: Service\nmetadata: { name: a, namespace: apps }\n'),
    },
    {
      name: 'unknown kinds defined twice are left alone',
      files: docs('apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: app, namespace: apps }\n', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: app, namespace: apps }\n'),
    },
    {
      name: 'api references that differ by namespace',
      files: hub('APIAccess', 'access', 'groups: [a]\napis:\n  - name: a\n  - name: a\n    namespace: apps\n  - name: b\n    namespace: default'),
    },
    { name: 'distinct collections', files: hub('APIAccess', 'access', 'groups: [a]\napiCollections: [{ name: crm }, { name: hr }]') },
    { name: 'distinct accesses and domains', files: hub('APIGateway', 'gateway', 'apiAccesses: [crm, hr]\ncustomDomains: [api.example.com, api.example.org, www.api.example.com]') },
    { name: 'the same domain on a gateway and a portal', files: docs(hub('APIGateway', 'gateway', 'customDomains: [example.com]'), hub('APIPortal', 'portal', 'apiGateway: gateway\ncustomDomains: [example.com]')) },
  ],
  invalid: [
    {
      name: 'the same API twice, at the second metadata.name',
      files: docs(api('a'), api('a')),
      errors: [{ message: 'resource apps/a (API) is already defined at test.yaml:3:19', line: 10, column: 19, severity: 'error' }],
    },
    {
      name: 'a name in block metadata',
      files: docs(api('a'), 'apiVersion: hub.traefik.io/v1alpha1\nkind: API\nmetadata:\n  namespace: apps\n  name: a\nspec: { pathPrefix: /b, currentVersion: v1 }\n'),
      errors: [{ message: 'resource apps/a (API) is already defined at test.yaml:3:19', line: 12, column: 9 }],
    },
    {
      name: 'a duplicate in another file, reported in that file',
      files: { 'a.yaml': api('employees'), 'b.yaml': api('employees') },
      errors: [{ message: 'resource apps/employees (API) is already defined at a.yaml:3:19', line: 3, column: 19, file: 'b.yaml' }],
    },
    {
      name: 'three definitions: the second and the third, each pointing at the first',
      files: docs(api('a'), api('b'), api('a'), api('a')),
      errors: [
        { message: 'resource apps/a (API) is already defined at test.yaml:3:19', line: 17, column: 19 },
        { message: 'resource apps/a (API) is already defined at test.yaml:3:19', line: 24, column: 19 },
      ],
    },
    {
      name: 'a cluster kind twice, whatever namespace is written',
      files: docs(hub('APIAccess', 'crm', 'groups: [a]'), hub('APIAccess', 'crm', 'groups: [b]', 'apps')),
      errors: [{ message: 'resource crm (APIAccess) is already defined at test.yaml:3:19', line: 9, column: 19 }],
    },
    {
      name: 'an invalid resource defined twice',
      files: docs(hub('APIRateLimit', 'slow', 'limit: -1'), hub('APIRateLimit', 'slow', 'limit: 1')),
      errors: [{ message: 'resource slow (APIRateLimit) is already defined at test.yaml:3:19', line: 9, column: 19 }],
    },
    {
      name: 'a Service defined twice',
      files: 'apiVersion: v1\nkind: Service\nmetadata: { name: app, namespace: apps }\n---\napiVersion: v1\nkind: Service\nmetadata: { name: app, namespace: apps }\n',
      errors: [{ message: 'resource apps/app (Service) is already defined at test.yaml:3:19', line: 7, column: 19 }],
    },
    {
      name: 'duplicated apis: an omitted namespace counts as default',
      files: hub('APIAccess', 'access', 'groups: [a]\napis:\n  - name: a\n  - name: a\n    namespace: default'),
      errors: [{ message: 'duplicated apis: default/a is listed more than once', ...inSpec(4, 5), field: 'spec.apis[1]', severity: 'error' }],
    },
    {
      name: 'duplicated apis in a collection and a rate limit',
      files: docs(
        hub('APICollection', 'crm', 'apis: [{ name: a, namespace: apps }, { name: b }, { namespace: apps, name: a }]'),
        hub('APIRateLimit', 'slow', 'limit: 1\napis:\n  - { name: b, namespace: default }\n  - { name: b }'),
      ),
      errors: [
        { message: 'duplicated apis: apps/a is listed more than once', ...inSpec(1, 51), field: 'spec.apis[2]' },
        { message: 'duplicated apis: default/b is listed more than once', line: 6 + 5 + 3, column: 2 + 5, field: 'spec.apis[1]' },
      ],
    },
    {
      name: 'a name listed three times: the second and the third',
      files: hub('APIAccess', 'access', 'groups: [a]\napis: [{ name: a }, { name: a }, { name: a }]'),
      errors: [
        { message: 'duplicated apis: default/a is listed more than once', ...inSpec(2, 21) },
        { message: 'duplicated apis: default/a is listed more than once', ...inSpec(2, 34) },
      ],
    },
    {
      name: 'duplicated collections',
      files: hub('APIAccess', 'access', 'groups: [a]\napiCollections:\n  - name: crm\n  - name: hr\n  - name: crm'),
      errors: [{ message: 'duplicated collections: crm is listed more than once', ...inSpec(5, 5), field: 'spec.apiCollections[2]' }],
    },
    {
      name: 'duplicated apiAccesses',
      files: hub('APIGateway', 'gateway', 'apiAccesses: [crm, hr, crm]'),
      errors: [{ message: 'duplicated apiAccesses: crm is listed more than once', ...inSpec(1, 24), field: 'spec.apiAccesses[2]' }],
    },
    {
      name: 'duplicate gateway domains, case-insensitive',
      files: hub('APIGateway', 'gateway', 'customDomains:\n  - api.example.com\n  - API.Example.com'),
      errors: [{ message: 'duplicate domains: api.example.com is listed more than once', ...inSpec(3, 5), field: 'spec.customDomains[1]' }],
    },
    {
      name: 'duplicate portal domains',
      files: hub('APIPortal', 'portal', 'apiGateway: gateway\ncustomDomains: [portal.example.com, portal.example.com]'),
      errors: [{ message: 'duplicate domains: portal.example.com is listed more than once', ...inSpec(2, 37), field: 'spec.customDomains[1]' }],
    },
    {
      // The second definition stays out of the graph, so only the resource is reported, not its lists.
      name: 'a duplicate resource: its own lists are not checked',
      files: docs(hub('APIGateway', 'gateway', 'apiAccesses: [a]'), hub('APIGateway', 'gateway', 'apiAccesses: [a, a]')),
      errors: [{ message: 'resource gateway (APIGateway) is already defined at test.yaml:3:19', line: 9, column: 19 }],
    },
  ],
});
