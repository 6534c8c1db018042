import { DEFAULT_NAMESPACE, type FieldPath, type Kind, type Resource } from '../../model/index.js';
import { defineRule, type Report } from '../rule.js';
import { describeResource, specField } from './describe.js';

type Messages = 'notFound' | 'otherApi';

export default defineRule<Messages>({
  id: 'reference',
  description: 'Disallow references to resources that do not exist: services, versions, APIs, collections, accesses and gateways',
  severity: 'error',
  messages: {
    notFound: 'resource {{target}} not found on field "{{field}}" in resource {{source}}',
    otherApi: 'resource {{target}} on field "{{field}}" in resource {{source}} is a version of API {{owner}}, not of this API',
  },
  check(graph, report) {
    const expect = (source: Resource, path: FieldPath, kind: Kind, namespace: string | undefined, name: string) => {
      if (!graph.exists(kind, namespace, name)) notFound(report, source, path, { kind, namespace, name });
    };
    for (const api of graph.list('API')) {
      if (api.spec.service !== undefined) expect(api, ['spec', 'service', 'name'], 'Service', api.namespace, api.spec.service.name);
      const current = api.spec.currentVersion;
      if (current !== undefined) {
        const version = graph.get('APIVersion', api.namespace, current);
        if (version === undefined) expect(api, ['spec', 'currentVersion'], 'APIVersion', api.namespace, current);
        else if (version.spec.apiName !== api.name) {
          report({
            messageId: 'otherApi',
            data: { target: describeResource(version), field: 'currentVersion', source: describeResource(api), owner: `${api.namespace}/${version.spec.apiName}` },
            target: api,
            path: ['spec', 'currentVersion'],
          });
        }
      }
    }
    for (const version of graph.list('APIVersion')) {
      expect(version, ['spec', 'apiName'], 'API', version.namespace, version.spec.apiName);
      expect(version, ['spec', 'service', 'name'], 'Service', version.namespace, version.spec.service.name);
    }
    for (const kind of ['APIAccess', 'APICollection', 'APIRateLimit'] as const) {
      for (const resource of graph.list(kind)) {
        resource.spec.apis?.forEach((ref, i) => expect(resource, ['spec', 'apis', i], 'API', ref.namespace ?? DEFAULT_NAMESPACE, ref.name));
      }
    }
    for (const access of graph.list('APIAccess')) {
      access.spec.apiCollections?.forEach((ref, i) => expect(access, ['spec', 'apiCollections', i], 'APICollection', undefined, ref.name));
    }
    for (const gateway of graph.list('APIGateway')) {
      gateway.spec.apiAccesses?.forEach((name, i) => expect(gateway, ['spec', 'apiAccesses', i], 'APIAccess', undefined, name));
    }
    for (const portal of graph.list('APIPortal')) {
      expect(portal, ['spec', 'apiGateway'], 'APIGateway', undefined, portal.spec.apiGateway);
      const ui = portal.spec.ui?.service;
      if (ui !== undefined) expect(portal, ['spec', 'ui', 'service', 'name'], 'Service', ui.namespace ?? DEFAULT_NAMESPACE, ui.name);
    }
  },
});

function notFound(report: Report<Messages>, source: Resource, path: FieldPath, target: { kind: Kind; namespace: string | undefined; name: string }): void {
  report({
    messageId: 'notFound',
    data: { target: describeResource(target), field: specField(path), source: describeResource(source) },
    target: source,
    path,
  });
}
