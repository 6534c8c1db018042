import { defineRule } from '../rule.js';

export default defineRule({
  id: 'orphan',
  description: 'Warn about accesses no gateway lists, collections no access reaches, APIs no gateway exposes and versions of unversioned APIs',
  severity: 'warning',
  messages: {
    access: 'APIAccess {{name}} is not listed by any APIGateway: it has no effect',
    collection: 'APICollection {{name}} is not reached by any APIAccess',
    api: 'API {{ref}} is not exposed by any APIGateway through an APIAccess',
    version: 'APIVersion {{ref}} belongs to API {{api}}, which is not versioned (it has service, not currentVersion): the version is never served',
  },
  check(graph, report) {
    for (const access of graph.list('APIAccess')) {
      if (graph.gatewaysOfAccess(access).length === 0) report({ messageId: 'access', data: { name: access.name }, target: access });
    }
    for (const collection of graph.list('APICollection')) {
      if (graph.accessesOfCollection(collection).length === 0) report({ messageId: 'collection', data: { name: collection.name }, target: collection });
    }
    for (const api of graph.list('API')) {
      const exposed = graph.accessesOfApi(api).some((access) => graph.gatewaysOfAccess(access).length > 0);
      if (!exposed) report({ messageId: 'api', data: { ref: api.ref }, target: api });
    }
    for (const version of graph.list('APIVersion')) {
      const api = graph.get('API', version.namespace, version.spec.apiName);
      if (api !== undefined && api.spec.currentVersion === undefined) {
        report({ messageId: 'version', data: { ref: version.ref, api: api.ref }, target: version, path: ['spec', 'apiName'] });
      }
    }
  },
});
