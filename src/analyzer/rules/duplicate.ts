import { DEFAULT_NAMESPACE, resourceId, type FieldPath, type Resource, type ResourceEntry } from '../../model/index.js';
import { defineRule, type Report } from '../rule.js';
import { describeResource } from './describe.js';

type Messages = 'resource' | 'apis' | 'collections' | 'accesses' | 'domains';

export default defineRule<Messages>({
  id: 'duplicate',
  description: 'Disallow defining the same resource twice and repeating entries in apis, apiCollections, apiAccesses and customDomains',
  severity: 'error',
  messages: {
    resource: 'resource {{resource}} is already defined at {{first}}',
    apis: 'duplicated apis: {{entry}} is listed more than once',
    collections: 'duplicated collections: {{entry}} is listed more than once',
    accesses: 'duplicated apiAccesses: {{entry}} is listed more than once',
    domains: 'duplicate domains: {{entry}} is listed more than once',
  },
  check(graph, report) {
    const firsts = new Map<string, ResourceEntry>();
    if (graph.duplicates.length > 0) {
      for (const entry of graph.entries) {
        if (entry.known && entry.name !== undefined) {
          const id = resourceId(entry.kind, entry.namespace, entry.name);
          if (!firsts.has(id)) firsts.set(id, entry);
        }
      }
    }
    for (const entry of graph.duplicates) {
      const first = firsts.get(resourceId(entry.kind, entry.namespace, entry.name!))!;
      const at = first.source.locate(['metadata', 'name']);
      report({
        messageId: 'resource',
        data: { resource: describeResource({ kind: entry.kind, namespace: entry.namespace, name: entry.name! }), first: `${at.file}:${at.line}:${at.column}` },
        target: entry,
      });
    }
    const apiKey = (ref: { name: string; namespace?: string }) => `${ref.namespace ?? DEFAULT_NAMESPACE}/${ref.name}`;
    for (const kind of ['APIAccess', 'APICollection', 'APIRateLimit'] as const) {
      for (const resource of graph.list(kind)) repeated(report, resource, ['spec', 'apis'], resource.spec.apis, apiKey, 'apis');
    }
    for (const access of graph.list('APIAccess')) {
      repeated(report, access, ['spec', 'apiCollections'], access.spec.apiCollections, (ref) => ref.name, 'collections');
    }
    for (const gateway of graph.list('APIGateway')) {
      repeated(report, gateway, ['spec', 'apiAccesses'], gateway.spec.apiAccesses, (name) => name, 'accesses');
      repeated(report, gateway, ['spec', 'customDomains'], gateway.spec.customDomains, (domain) => domain.toLowerCase(), 'domains');
    }
    for (const portal of graph.list('APIPortal')) {
      repeated(report, portal, ['spec', 'customDomains'], portal.spec.customDomains, (domain) => domain.toLowerCase(), 'domains');
    }
  },
});

/** Reports every entry of a list whose key an earlier entry already had, at that entry. */
function repeated<T>(
  report: Report<Messages>,
  resource: Resource,
  path: FieldPath,
  entries: readonly T[] | undefined,
  key: (entry: T) => string,
  messageId: Messages,
): void {
  const seen = new Set<string>();
  entries?.forEach((entry, index) => {
    const k = key(entry);
    if (seen.has(k)) report({ messageId, data: { entry: k }, target: resource, path: [...path, index] });
    seen.add(k);
  });
}
