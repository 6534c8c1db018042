import type { CorsSpec, FieldPath, Resource, ServiceReference } from '../../model/index.js';
import { translateRegex } from '../../policy/index.js';
import { defineRule } from '../rule.js';

export default defineRule({
  id: 'regex',
  description: 'Disallow pathRegex and allowOriginListRegex values that do not compile',
  severity: 'error',
  messages: { invalid: 'regular expression "{{pattern}}" does not compile: {{message}}' },
  check(graph, report) {
    const check = (resource: Resource, path: FieldPath, pattern: string) => {
      const result = translateRegex(pattern);
      if (!result.ok) report({ messageId: 'invalid', data: { pattern, message: result.message }, target: resource, path });
    };
    const checkResource = (resource: Resource, service: ServiceReference | undefined, cors: CorsSpec | undefined) => {
      service?.openApiSpec?.operationSets?.forEach((set, s) =>
        set.matchers.forEach((matcher, m) => {
          if (matcher.pathRegex !== undefined) {
            check(resource, ['spec', 'service', 'openApiSpec', 'operationSets', s, 'matchers', m, 'pathRegex'], matcher.pathRegex);
          }
        }),
      );
      cors?.allowOriginListRegex?.forEach((pattern, i) => check(resource, ['spec', 'cors', 'allowOriginListRegex', i], pattern));
    };
    for (const api of graph.list('API')) checkResource(api, api.spec.service, api.spec.cors);
    for (const version of graph.list('APIVersion')) checkResource(version, version.spec.service, version.spec.cors);
  },
});
