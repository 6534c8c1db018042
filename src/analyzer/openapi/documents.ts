import path from 'node:path';
import { DEFAULT_NAMESPACE, type ResourceEntry, type ResourceGraph } from '../../model/index.js';

/** The annotation that ties an API to its OpenAPI document. */
export const OPENAPI_ANNOTATION = 'gitgate.io/openapi';

/**
 * Reads a file of the same revision as the graph: `path` is relative to the root that was
 * loaded, with forward slashes. Undefined when the revision has no such file; an I/O failure
 * is thrown, and reaches the caller of openApiDocuments.
 */
export type ReadFile = (path: string) => string | undefined;

/** An API's OpenAPI document as a revision holds it, or why it cannot be read. */
export type OpenApiDocument =
  | {
      readonly ok: true;
      /** `configmap:<namespace>/<name>/<key>`, or the file path. */
      readonly source: string;
      readonly text: string;
    }
  | {
      readonly ok: false;
      /** The annotation's value, as written. */
      readonly source: string;
      readonly error: string;
    };

/**
 * The OpenAPI document of every API that names one in its `gitgate.io/openapi` annotation, by
 * API (`namespace/name`). A value of the form `<configmap>/<key>` whose first part names a
 * ConfigMap in the API's namespace is read from that ConfigMap's `data`; any other value is a
 * file path relative to the loaded root, read through `readFile` (`./` forces a file).
 * Never throws: a document that cannot be found is an entry with `ok: false`.
 */
export function openApiDocuments(graph: ResourceGraph, readFile?: ReadFile): Map<string, OpenApiDocument> {
  const documents = new Map<string, OpenApiDocument>();
  let configMaps: Map<string, ResourceEntry> | undefined;
  for (const api of graph.list('API')) {
    const value = api.annotations[OPENAPI_ANNOTATION];
    if (value === undefined) continue;
    configMaps ??= indexConfigMaps(graph);
    documents.set(api.ref, resolve(value, api.namespace ?? DEFAULT_NAMESPACE, configMaps, readFile));
  }
  return documents;
}

function indexConfigMaps(graph: ResourceGraph): Map<string, ResourceEntry> {
  const index = new Map<string, ResourceEntry>();
  for (const entry of graph.entries) {
    if (entry.kind !== 'ConfigMap' || entry.apiVersion !== 'v1' || entry.name === undefined) continue;
    const key = `${entry.namespace ?? DEFAULT_NAMESPACE}/${entry.name}`;
    // The first definition wins, as for every kind (the duplicate rule reports the others).
    if (!index.has(key)) index.set(key, entry);
  }
  return index;
}

function resolve(raw: string, namespace: string, configMaps: Map<string, ResourceEntry>, readFile: ReadFile | undefined): OpenApiDocument {
  const value = raw.trim();
  const failed = (error: string): OpenApiDocument => ({ ok: false, source: raw, error });
  if (value === '') return failed(`annotation ${OPENAPI_ANNOTATION} is empty: write <configmap>/<key> or a file path`);

  const parts = value.split('/');
  if (parts.length === 2 && parts[0] !== '.' && parts[0] !== '') {
    const [name, key] = parts as [string, string];
    const configMap = configMaps.get(`${namespace}/${name}`);
    if (configMap !== undefined) {
      const text = configMap.data !== undefined && Object.hasOwn(configMap.data, key) ? configMap.data[key] : undefined;
      if (text === undefined) return failed(`ConfigMap ${namespace}/${name} has no key "${key}" in data`);
      return { ok: true, source: `configmap:${namespace}/${name}/${key}`, text };
    }
  }

  const file = normalize(value);
  if (file === undefined) return failed(`"${value}" must be a path relative to the repository root gitgate loaded, inside it`);
  const text = readFile?.(file);
  if (text !== undefined) return { ok: true, source: file, text };
  const missingFile = readFile === undefined ? `file "${file}" cannot be read here` : `no file "${file}" in this revision`;
  if (parts.length === 2 && !value.startsWith('./')) return failed(`no ConfigMap "${parts[0]}" in namespace "${namespace}" and ${missingFile}`);
  return failed(missingFile);
}

/** `./a/../b.yaml` → `b.yaml`; undefined for an absolute path or one that leaves the root. */
function normalize(value: string): string | undefined {
  if (value.startsWith('/') || value.includes('\\') || value.includes('\0')) return undefined;
  const normalized = path.posix.normalize(value);
  if (normalized === '..' || normalized.startsWith('../') || normalized === '.' || normalized.endsWith('/')) return undefined;
  return normalized;
}
