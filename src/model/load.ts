import { HUB_API_VERSION, HUB_GROUP, KINDS, isKind, type Kind } from './kinds.js';
import { DEFAULT_LIMITS, type LoadLimits } from './limits.js';
import { checkDnsLabel, checkLabelKey, checkLabelValue } from './names.js';
import { resourceId, resourceRef, type Resource, type ResourceEntry } from './resource.js';
import { endpointSliceBody, serviceSpec } from './schema/core.js';
import { DecodeContext, INVALID, isAbsent, isRecord, stringMap, type Decoder } from './schema/decode.js';
import { apiAccessSpec, apiCollectionSpec, apiGatewaySpec, apiPortalSpec, apiRateLimitSpec, apiSpec, apiVersionSpec } from './schema/hub.js';
import { NAME_PATH, offsetIn, ResourceSource } from './source.js';
import { parseYamlFile, type FileProblem, type ParsedDocument } from './yaml-file.js';

/** A file to load: its path relative to the loaded root (forward slashes) and its bytes. */
export interface SourceInput {
  readonly path: string;
  readonly content: Uint8Array | string;
}

export interface LoadResult {
  readonly files: number;
  readonly entries: readonly ResourceEntry[];
  readonly fileProblems: readonly FileProblem[];
}

const SPEC_DECODERS: Readonly<Record<Kind, { decode: Decoder<unknown>; specRequired: boolean }>> = {
  API: { decode: apiSpec, specRequired: true },
  APIVersion: { decode: apiVersionSpec, specRequired: true },
  APICollection: { decode: apiCollectionSpec, specRequired: false },
  APIAccess: { decode: apiAccessSpec, specRequired: false },
  APIGateway: { decode: apiGatewaySpec, specRequired: false },
  APIPortal: { decode: apiPortalSpec, specRequired: true },
  APIRateLimit: { decode: apiRateLimitSpec, specRequired: true },
  Service: { decode: serviceSpec, specRequired: false },
  EndpointSlice: { decode: endpointSliceBody, specRequired: false },
};

const HUB_KIND_NAMES = new Set(Object.entries(KINDS).filter(([, info]) => info.apiVersion === HUB_API_VERSION).map(([kind]) => kind));
const labels = stringMap(checkLabelKey, checkLabelValue);
const annotations = stringMap();

/** Parses and decodes every file; bad input becomes problems, never exceptions. */
export function loadSources(inputs: readonly SourceInput[], limits: LoadLimits = DEFAULT_LIMITS): LoadResult {
  const entries: ResourceEntry[] = [];
  const fileProblems: FileProblem[] = [];
  for (const [order, input] of inputs.entries()) {
    const parsed = parseYamlFile(input.path, input.content, limits, order);
    fileProblems.push(...parsed.problems);
    for (const document of parsed.documents) {
      const entry = decodeDocument(document);
      if (entry !== undefined) entries.push(entry);
    }
  }
  return { files: inputs.length, entries, fileProblems };
}

function decodeDocument({ file, doc, index, value }: ParsedDocument): ResourceEntry | undefined {
  if (!isRecord(value)) return undefined;
  const { apiVersion, kind } = value;
  const source = new ResourceSource(file, index, offsetIn(doc, NAME_PATH));
  const hubLike = (typeof apiVersion === 'string' && apiVersion.startsWith(`${HUB_GROUP}/`)) || (typeof kind === 'string' && HUB_KIND_NAMES.has(kind));
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    // Not a Kubernetes resource (a workflow, a values file): left alone, unless it looks like
    // one of ours with a field missing, which must not be dropped silently.
    if (!hubLike) return undefined;
    const ctx = new DecodeContext();
    if (typeof apiVersion !== 'string') ctx.error(['apiVersion'], `must be a string naming the API version, such as ${HUB_API_VERSION}`);
    if (typeof kind !== 'string') ctx.error(['kind'], 'must be a string naming the kind, such as API');
    return entry(String(kind ?? ''), String(apiVersion ?? ''), value, source, ctx, false);
  }

  const ctx = new DecodeContext();
  const known = isKind(kind) && KINDS[kind].apiVersion === apiVersion;
  if (!known) {
    // Another version of one of our kinds would silently do nothing: say so. Other kinds of the
    // hub group (AccessControlPolicy, EdgeIngress...) are left alone like any other kind.
    if (HUB_KIND_NAMES.has(kind) && apiVersion.startsWith(`${HUB_GROUP}/`) && apiVersion !== HUB_API_VERSION) {
      ctx.error(['apiVersion'], `apiVersion "${apiVersion}" is not supported: gitgate reads ${HUB_API_VERSION}`);
    }
    return entry(kind, apiVersion, value, source, ctx, false);
  }
  return entry(kind, apiVersion, value, source, ctx, true);
}

function entry(kind: string, apiVersion: string, value: Record<string, unknown>, source: ResourceSource, ctx: DecodeContext, known: boolean): ResourceEntry {
  const metadata = decodeMetadata(kind, value.metadata, ctx, known);
  let resource: Resource | undefined;
  if (known && metadata !== undefined) {
    const spec = decodeSpec(kind as Kind, value, ctx);
    if (spec !== INVALID) {
      resource = {
        kind: kind as Kind,
        apiVersion,
        name: metadata.name,
        namespace: metadata.namespace,
        labels: metadata.labels,
        annotations: metadata.annotations,
        spec: spec as never,
        source,
        id: resourceId(kind, metadata.namespace, metadata.name),
        ref: resourceRef(metadata.namespace, metadata.name),
      };
    }
  }
  return {
    kind,
    apiVersion,
    name: metadata?.name,
    namespace: metadata?.namespace,
    known,
    source,
    problems: ctx.problems,
    resource,
    // Assigned on every entry, undefined but for ConfigMaps: one object shape for all entries.
    data: kind === 'ConfigMap' && apiVersion === 'v1' ? configMapData(value.data) : undefined,
  };
}

/** The string values of a ConfigMap's `data`; anything else is not a ConfigMap value and is left out. */
function configMapData(raw: unknown): Readonly<Record<string, string>> | undefined {
  if (!isRecord(raw)) return undefined;
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) if (typeof value === 'string') data[key] = value;
  return data;
}

interface Metadata {
  name: string;
  namespace: string | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function decodeMetadata(kind: string, raw: unknown, ctx: DecodeContext, known: boolean): Metadata | undefined {
  if (!isRecord(raw)) {
    // Unknown kinds are counted even without metadata; ours cannot be named without it.
    if (known) ctx.error(['metadata'], isAbsent(raw) ? 'is required' : 'must be a map');
    return undefined;
  }
  const { name, namespace } = raw;
  if (typeof name !== 'string' || name === '') {
    if (known) ctx.error(['metadata', 'name'], 'is required');
    return undefined;
  }
  const info = isKind(kind) ? KINDS[kind] : undefined;
  if (known && info?.apiVersion === HUB_API_VERSION) {
    const message = checkDnsLabel(name);
    if (message !== undefined) ctx.error(['metadata', 'name'], message);
  }
  let ns: string | undefined;
  if (!isAbsent(namespace)) {
    if (typeof namespace !== 'string') {
      if (known) ctx.error(['metadata', 'namespace'], 'must be a string');
    } else if (known && info?.namespaced === false) ctx.warn(['metadata', 'namespace'], `is ignored: ${kind} is a cluster-scoped kind`);
    else {
      const message = checkDnsLabel(namespace);
      if (known && message !== undefined) ctx.error(['metadata', 'namespace'], message);
      ns = namespace;
    }
  } else if (known && info?.namespaced === true) {
    ctx.error(['metadata', 'namespace'], `is required: ${kind} is a namespaced kind`);
  }
  const decodedLabels = isAbsent(raw.labels) || !known ? {} : labels(raw.labels, ['metadata', 'labels'], ctx);
  const decodedAnnotations = isAbsent(raw.annotations) || !known ? {} : annotations(raw.annotations, ['metadata', 'annotations'], ctx);
  return {
    name,
    namespace: info?.namespaced === false ? undefined : ns,
    labels: decodedLabels === INVALID ? {} : decodedLabels,
    annotations: decodedAnnotations === INVALID ? {} : decodedAnnotations,
  };
}

function decodeSpec(kind: Kind, value: Record<string, unknown>, ctx: DecodeContext): unknown {
  const { decode, specRequired } = SPEC_DECODERS[kind];
  if (kind === 'EndpointSlice') return decode(value, [], ctx);
  if (isAbsent(value.spec)) {
    if (specRequired) return ctx.error(['spec'], 'is required');
    return decode({}, ['spec'], ctx);
  }
  return decode(value.spec, ['spec'], ctx);
}
