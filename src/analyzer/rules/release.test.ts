import { ruleTable, yaml } from '../../../test/helpers/rule-tester.js';

const api = yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: API
  metadata: { name: customers, namespace: apps }
  spec: { pathPrefix: /customers, currentVersion: v1 }
  ---
  apiVersion: v1
  kind: Service
  metadata: { name: app, namespace: apps }
  spec: { ports: [{ port: 80 }] }
`;

const version = (name: string, release: string, apiName = 'customers') => yaml`
  ---
  apiVersion: hub.traefik.io/v1alpha1
  kind: APIVersion
  metadata: { name: ${name}, namespace: apps }
  spec:
    apiName: ${apiName}
    release: ${release}
    service: { name: app, port: { number: 80 } }
`;

ruleTable('release', {
  valid: [
    { name: 'distinct releases', files: api + version('v1', '1.0.0') + version('v2', '2.0.0') },
    { name: 'same release on different APIs', files: api + version('v1', '1.0.0') + version('v2', '1.0.0', 'other') },
  ],
  invalid: [
    {
      name: 'a leading v does not count',
      files: api + version('v1', '1.0.0') + version('v2', 'v1.0.0'),
      errors: [{ message: 'release 1.0.0 of API apps/customers is already used by apps/v1 (APIVersion)', line: 24, column: 12, field: 'spec.release' }],
    },
  ],
});
