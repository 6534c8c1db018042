import type { Resource, ResourceGraph, ServicePort, ServicePortSpec } from '../model/index.js';
import type { BackendConfig } from './runtime-config.js';

/**
 * Resolves where a Service's traffic goes, in the order of shared/spec/resources.md: its
 * EndpointSlices, an ExternalName, (an override, applied by the running gateway), cluster DNS.
 */
export function resolveBackend(graph: ResourceGraph, namespace: string, serviceName: string, ref: ServicePort): BackendConfig {
  const service = graph.get('Service', namespace, serviceName);
  const port = service === undefined ? undefined : findPort(service.spec.ports, ref);
  const number = port?.port ?? ref.number ?? 80;
  const identity = { namespace, name: serviceName, port: number };
  if (service !== undefined) {
    const urls = endpointUrls(graph, service, port);
    if (urls.length > 0) return { service: identity, kind: 'endpoints', urls };
    if (service.spec.type === 'ExternalName' && service.spec.externalName !== undefined) {
      const scheme = number === 443 ? 'https' : 'http';
      return { service: identity, kind: 'external', urls: [`${scheme}://${hostPart(service.spec.externalName)}:${number}`] };
    }
  }
  return { service: identity, kind: 'dns', urls: [`http://${serviceName}.${namespace}.svc.cluster.local:${number}`] };
}

export function findPort(ports: readonly ServicePortSpec[], ref: ServicePort): ServicePortSpec | undefined {
  return ports.find((p) => (ref.name === undefined || p.name === ref.name) && (ref.number === undefined || p.port === ref.number));
}

function endpointUrls(graph: ResourceGraph, service: Resource<'Service'>, port: ServicePortSpec | undefined): string[] {
  const urls = new Set<string>();
  for (const slice of graph.endpointSlicesOfService(service)) {
    // The slice port named like the Service port, else the Service's targetPort, else its port.
    const slicePort = slice.spec.ports.find((p) => (p.name ?? '') === (port?.name ?? ''));
    const number = slicePort?.port ?? (typeof port?.targetPort === 'number' ? port.targetPort : port?.port);
    if (number === undefined) continue;
    for (const endpoint of slice.spec.endpoints) {
      if (!endpoint.ready) continue;
      for (const address of endpoint.addresses) urls.add(`http://${hostPart(address)}:${number}`);
    }
  }
  return [...urls].sort();
}

/** IPv6 literals need brackets in a URL. */
function hostPart(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}
