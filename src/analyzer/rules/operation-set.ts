import type { Resource, ResourceGraph, ServiceReference } from '../../model/index.js';
import { defineRule } from '../rule.js';

export default defineRule({
  id: 'operation-set',
  description: 'Disallow operation filters that name an operation set no selected API defines',
  severity: 'error',
  messages: { unknown: 'operation set "{{name}}" is not defined by any API selected by {{access}}' },
  check(graph, report) {
    for (const access of graph.list('APIAccess')) {
      const include = access.spec.operationFilter?.include;
      if (include === undefined || include.length === 0) continue;
      const defined = definedOperationSets(graph, access);
      include.forEach((name, index) => {
        if (!defined.has(name)) {
          report({ messageId: 'unknown', data: { name, access: access.name }, target: access, path: ['spec', 'operationFilter', 'include', index] });
        }
      });
    }
  },
});

function definedOperationSets(graph: ResourceGraph, access: Resource<'APIAccess'>): Set<string> {
  const names = new Set<string>();
  const collect = (service: ServiceReference | undefined) => {
    for (const set of service?.openApiSpec?.operationSets ?? []) names.add(set.name);
  };
  for (const api of graph.apisOfAccess(access)) {
    collect(api.spec.service);
    for (const version of graph.versionsOfApi(api)) collect(version.spec.service);
  }
  return names;
}
