import type { EndpointSliceEndpoint, EndpointSlicePort, EndpointSliceSpec, ServicePortSpec, ServiceSpec } from '../types.js';
import { boolean, integer, list, map, object, optional, required, string, type Decoder } from './decode.js';

// The few fields gitgate reads from core Kubernetes kinds; their other fields are left alone.

const targetPort: Decoder<number | string> = (value, path, ctx) => {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535) return value;
  return ctx.error(path, 'must be a port number (1-65535) or a port name');
};

const servicePortSpec: Decoder<ServicePortSpec> = object(
  {
    name: optional(string()),
    port: required(integer({ min: 1, max: 65535 })),
    targetPort: optional(targetPort),
    protocol: optional(string()),
  },
  { strict: false },
);

export const serviceSpec: Decoder<ServiceSpec> = map(
  object(
    {
      type: optional(string()),
      externalName: optional(string()),
      ports: optional(list(servicePortSpec)),
    },
    {
      strict: false,
      checks: [
        (spec, path, ctx) => {
          if (spec.type === 'ExternalName' && spec.externalName === undefined) ctx.error([...path, 'externalName'], 'is required when type is ExternalName');
        },
      ],
    },
  ),
  (spec) => ({ ...spec, ports: spec.ports ?? [] }),
);

const endpoint: Decoder<EndpointSliceEndpoint> = map(
  object(
    {
      addresses: required(list(string(), { min: 1 })),
      conditions: optional(object({ ready: optional(boolean()) }, { strict: false })),
    },
    { strict: false },
  ),
  // An endpoint without a ready condition is ready, as in Kubernetes.
  (value) => ({ addresses: value.addresses!, ready: value.conditions?.ready ?? true }),
);

const endpointPort: Decoder<EndpointSlicePort> = object(
  { name: optional(string()), port: optional(integer({ min: 1, max: 65535 })), protocol: optional(string()) },
  { strict: false },
);

/** Decodes the top level of an EndpointSlice document (it has no `spec`). */
export const endpointSliceBody: Decoder<EndpointSliceSpec> = map(
  object(
    {
      addressType: optional(string()),
      endpoints: optional(list(endpoint)),
      ports: optional(list(endpointPort)),
    },
    { strict: false },
  ),
  (value) => ({ addressType: value.addressType, endpoints: value.endpoints ?? [], ports: value.ports ?? [] }),
);
