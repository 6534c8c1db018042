import type { Resource } from '../../model/index.js';
import { routesOfGateway, type RouteDefinition } from '../../policy/index.js';
import { defineRule } from '../rule.js';
import { describeResource } from './describe.js';

export default defineRule({
  id: 'path-conflict',
  description: 'Disallow two APIs or versions that one APIGateway would serve at the same path prefix with the same conditions',
  severity: 'error',
  messages: {
    conflict: 'path prefix {{prefix}}{{conditions}} on {{hosts}} of APIGateway {{gateway}} is served by both {{this}} and {{other}}',
  },
  check(graph, report) {
    const reported = new Set<string>();
    for (const gateway of graph.list('APIGateway')) {
      const byKey = new Map<string, RouteDefinition[]>();
      for (const route of routesOfGateway(graph, gateway)) {
        const key = `${route.pathPrefix}\0${JSON.stringify(route.headers)}\0${JSON.stringify(route.query)}`;
        const group = byKey.get(key);
        if (group === undefined) byKey.set(key, [route]);
        else group.push(route);
      }
      for (const group of byKey.values()) {
        // One target reached several ways (two accesses, a collection without a pathPrefix) is
        // never a conflict: skip the sort, which locates every route of the group in its file.
        if (group.every((route) => target(route) === target(group[0]!))) continue;
        // Report the route written later in the sources, whatever the order of apiAccesses.
        group.sort(compareOrigins);
        const first = group[0]!;
        for (const route of group.slice(1)) {
          if (target(route) === target(first)) continue;
          // A version route at the API's own prefix wins over its fallback: not a tie.
          if (route.api === first.api && route.fallback !== first.fallback) continue;
          const dedupe = `${route.origin.resource.id}\0${String(route.origin.path)}\0${target(first)}`;
          if (reported.has(dedupe)) continue;
          reported.add(dedupe);
          report({
            messageId: 'conflict',
            data: {
              prefix: route.pathPrefix,
              conditions: describeConditions(route),
              hosts: route.hosts.length === 0 ? 'every host' : route.hosts.join(', '),
              gateway: gateway.name,
              this: describeTarget(route),
              other: describeTarget(first),
            },
            target: route.origin.resource,
            ...(route.origin.path === undefined ? {} : { path: route.origin.path }),
          });
        }
      }
    }
  },
});

function compareOrigins(a: RouteDefinition, b: RouteDefinition): number {
  const pa = a.origin.resource.source.locate(a.origin.path ?? ['metadata', 'name']);
  const pb = b.origin.resource.source.locate(b.origin.path ?? ['metadata', 'name']);
  return a.origin.resource.source.file.order - b.origin.resource.source.file.order || pa.line - pb.line || pa.column - pb.column;
}

function target(route: RouteDefinition): string {
  return `${route.api.id}\0${route.version?.id ?? ''}`;
}

function describeTarget(route: RouteDefinition): string {
  const api = describeResource(route.api as Resource);
  return route.version === undefined ? api : `${api} version ${route.version.name}`;
}

function describeConditions(route: RouteDefinition): string {
  const parts = [
    ...route.headers.map(([name, value]) => `header ${name}=${value}`),
    ...route.query.map(([name, value]) => `query ${name}=${value}`),
  ];
  return parts.length === 0 ? '' : ` with ${parts.join(', ')}`;
}
