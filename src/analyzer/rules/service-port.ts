import { DEFAULT_NAMESPACE, type FieldPath, type Resource, type ServicePort } from '../../model/index.js';
import { defineRule } from '../rule.js';
import { describeResource, specField } from './describe.js';

export default defineRule({
  id: 'service-port',
  description: 'Disallow service ports that the referenced Service does not declare',
  severity: 'error',
  messages: {
    missing: 'port {{port}} not found in resource {{service}} on field "{{field}}" in resource {{source}}',
  },
  check(graph, report) {
    const check = (source: Resource, path: FieldPath, namespace: string | undefined, serviceName: string, port: ServicePort | undefined, legacy = false) => {
      const service = graph.get('Service', namespace, serviceName);
      if (service === undefined || port === undefined) return;
      const ports = service.spec.ports;
      // An ExternalName Service may declare no ports: the API's port number is used as is.
      if (ports.length === 0 && service.spec.type === 'ExternalName' && port.number !== undefined && port.name === undefined) return;
      const found = ports.some((p) => (port.name === undefined || p.name === port.name) && (port.number === undefined || p.port === port.number));
      if (found) return;
      const field = port.name !== undefined ? 'name' : 'number';
      report({
        messageId: 'missing',
        data: {
          port: port.name !== undefined ? `"${port.name}"` : String(port.number),
          service: describeResource(service),
          field: specField([...path, field]),
          source: describeResource(source),
        },
        target: source,
        path: [...path, field],
        // The legacy openApiSpec.port is ignored by gitgate: a stale one is worth a warning only.
        ...(legacy ? { severity: 'warning' as const } : {}),
      });
    };
    for (const kind of ['API', 'APIVersion'] as const) {
      for (const resource of graph.list(kind)) {
        const service = resource.spec.service;
        if (service === undefined) continue;
        check(resource, ['spec', 'service', 'port'], resource.namespace, service.name, service.port);
        check(resource, ['spec', 'service', 'openApiSpec', 'port'], resource.namespace, service.name, service.openApiSpec?.port, true);
      }
    }
    for (const portal of graph.list('APIPortal')) {
      const ui = portal.spec.ui?.service;
      if (ui !== undefined) check(portal, ['spec', 'ui', 'service', 'port'], ui.namespace ?? DEFAULT_NAMESPACE, ui.name, ui.port);
    }
  },
});
