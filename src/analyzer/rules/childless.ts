import { defineRule } from '../rule.js';

export default defineRule({
  id: 'childless',
  description: 'Warn about collections, accesses and rate limits that resolve to no API, and gateways with no access',
  severity: 'warning',
  messages: {
    collection: 'APICollection {{name}} contains no API',
    access: 'APIAccess {{name}} grants no API',
    rateLimit: 'APIRateLimit {{name}} applies to no API',
    gateway: 'APIGateway {{name}} lists no existing APIAccess: it serves nothing',
  },
  check(graph, report) {
    for (const collection of graph.list('APICollection')) {
      if (graph.apisOfCollection(collection).length === 0) report({ messageId: 'collection', data: { name: collection.name }, target: collection });
    }
    for (const access of graph.list('APIAccess')) {
      if (graph.apisOfAccess(access).length === 0) report({ messageId: 'access', data: { name: access.name }, target: access });
    }
    for (const limit of graph.list('APIRateLimit')) {
      if (graph.apisOfRateLimit(limit).length === 0) report({ messageId: 'rateLimit', data: { name: limit.name }, target: limit });
    }
    for (const gateway of graph.list('APIGateway')) {
      if (graph.accessesOfGateway(gateway).length === 0) report({ messageId: 'gateway', data: { name: gateway.name }, target: gateway });
    }
  },
});
