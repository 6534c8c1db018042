import { normalizeRelease, resourceId, type Resource } from '../../model/index.js';
import { defineRule } from '../rule.js';
import { describeResource } from './describe.js';

export default defineRule({
  id: 'release',
  description: 'Disallow two APIVersions of the same API with the same release',
  severity: 'error',
  messages: { duplicate: 'release {{release}} of API {{api}} is already used by {{other}}' },
  check(graph, report) {
    const seen = new Map<string, Resource<'APIVersion'>>();
    for (const version of graph.list('APIVersion')) {
      if (version.spec.release === undefined) continue;
      const release = normalizeRelease(version.spec.release);
      const key = `${resourceId('API', version.namespace, version.spec.apiName)}@${release}`;
      const other = seen.get(key);
      if (other === undefined) seen.set(key, version);
      else {
        report({
          messageId: 'duplicate',
          data: { release, api: `${version.namespace}/${version.spec.apiName}`, other: describeResource(other) },
          target: version,
          path: ['spec', 'release'],
        });
      }
    }
  },
});
