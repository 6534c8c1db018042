import { describe, expect, it } from 'vitest';
import { graphFromSources } from '../../model/index.js';
import { openApiDocuments, type ReadFile } from './documents.js';

const HUB = 'hub.traefik.io/v1alpha1';
const DOCUMENT = 'openapi: 3.0.3\ninfo: { title: Flights, version: 1.0.0 }\npaths: {}\n';

function api(name: string, namespace: string, openapi?: string): string {
  const annotations = openapi === undefined ? {} : { 'gitgate.io/openapi': openapi };
  return JSON.stringify({
    apiVersion: HUB,
    kind: 'API',
    metadata: { name, namespace, annotations },
    spec: { pathPrefix: `/${name}`, service: { name: 'app', port: { number: 80 } } },
  });
}

function configMap(name: string, namespace: string | undefined, data: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(namespace === undefined ? {} : { namespace }) }, data });
}

function documentsOf(documents: string[], readFile?: ReadFile) {
  const graph = graphFromSources([{ path: 'apis.yaml', content: documents.join('\n---\n') }]);
  return openApiDocuments(graph, readFile);
}

const files = (entries: Record<string, string>): ReadFile & { calls: string[] } => {
  const calls: string[] = [];
  return Object.assign((path: string) => (calls.push(path), entries[path]), { calls });
};

describe('openApiDocuments', () => {
  it('reads <configmap>/<key> from the ConfigMap in the API namespace', () => {
    const read = files({});
    const documents = documentsOf([api('flights', 'apps', 'flights-openapi/openapi.yaml'), configMap('flights-openapi', 'apps', { 'openapi.yaml': DOCUMENT })], read);
    expect(documents.get('apps/flights')).toEqual({ ok: true, source: 'configmap:apps/flights-openapi/openapi.yaml', text: DOCUMENT });
    expect(read.calls).toEqual([]);
  });

  it('reads a file path through readFile, relative to the loaded root and normalized', () => {
    const read = files({ 'specs/flights.yaml': DOCUMENT });
    const documents = documentsOf([api('a', 'apps', 'specs/flights.yaml'), api('b', 'apps', './specs/../specs/flights.yaml')], read);
    expect(documents.get('apps/a')).toEqual({ ok: true, source: 'specs/flights.yaml', text: DOCUMENT });
    expect(documents.get('apps/b')).toEqual({ ok: true, source: 'specs/flights.yaml', text: DOCUMENT });
    expect(read.calls).toEqual(['specs/flights.yaml', 'specs/flights.yaml']);
  });

  it('takes a one-slash value for a file when no ConfigMap has that name, and "./" forces a file', () => {
    const read = files({ 'specs/openapi.yaml': DOCUMENT, 'flights-openapi/openapi.yaml': 'from the file' });
    const documents = documentsOf(
      [api('a', 'apps', 'specs/openapi.yaml'), api('b', 'apps', './flights-openapi/openapi.yaml'), configMap('flights-openapi', 'apps', { 'openapi.yaml': DOCUMENT })],
      read,
    );
    expect(documents.get('apps/a')).toMatchObject({ ok: true, source: 'specs/openapi.yaml' });
    expect(documents.get('apps/b')).toEqual({ ok: true, source: 'flights-openapi/openapi.yaml', text: 'from the file' });
    expect(read.calls).toEqual(['specs/openapi.yaml', 'flights-openapi/openapi.yaml']);
  });

  it('uses only ConfigMaps of the API namespace, "default" for one written without a namespace', () => {
    const documents = documentsOf([
      api('a', 'apps', 'shared/openapi.yaml'),
      api('b', 'default', 'shared/openapi.yaml'),
      configMap('shared', undefined, { 'openapi.yaml': DOCUMENT }),
    ]);
    expect(documents.get('apps/a')).toEqual({ ok: false, source: 'shared/openapi.yaml', error: 'no ConfigMap "shared" in namespace "apps" and file "shared/openapi.yaml" cannot be read here' });
    expect(documents.get('default/b')).toMatchObject({ ok: true, source: 'configmap:default/shared/openapi.yaml' });
  });

  it('takes the first definition of a ConfigMap defined twice', () => {
    const documents = documentsOf([api('a', 'apps', 'spec/openapi.yaml'), configMap('spec', 'apps', { 'openapi.yaml': 'first' }), configMap('spec', 'apps', { 'openapi.yaml': 'second' })]);
    expect(documents.get('apps/a')).toMatchObject({ ok: true, text: 'first' });
  });

  it.each([
    ['a ConfigMap without the key', 'flights-openapi/missing.yaml', 'ConfigMap apps/flights-openapi has no key "missing.yaml" in data'],
    ['a key whose value is not a string', 'flights-openapi/count', 'ConfigMap apps/flights-openapi has no key "count" in data'],
    ['an inherited property name as key', 'flights-openapi/constructor', 'ConfigMap apps/flights-openapi has no key "constructor" in data'],
    ['neither a ConfigMap nor a file', 'other/openapi.yaml', 'no ConfigMap "other" in namespace "apps" and no file "other/openapi.yaml" in this revision'],
    ['a missing file', 'specs/v2/flights.yaml', 'no file "specs/v2/flights.yaml" in this revision'],
    ['a missing file forced with ./', './flights-openapi/openapi.yaml', 'no file "flights-openapi/openapi.yaml" in this revision'],
    ['an absolute path', '/etc/passwd', '"/etc/passwd" must be a path relative to the repository root gitgate loaded, inside it'],
    ['a path leaving the root', '../secrets/openapi.yaml', '"../secrets/openapi.yaml" must be a path relative to the repository root gitgate loaded, inside it'],
    ['a path leaving the root through a folder', 'specs/../../x.yaml', '"specs/../../x.yaml" must be a path relative to the repository root gitgate loaded, inside it'],
    ['an empty value', '  ', 'annotation gitgate.io/openapi is empty: write <configmap>/<key> or a file path'],
  ])('reports %s', (_name, annotation, error) => {
    const read = files({ 'specs/flights.yaml': DOCUMENT });
    const documents = documentsOf([api('flights', 'apps', annotation), configMap('flights-openapi', 'apps', { 'openapi.yaml': DOCUMENT, count: 3 })], read);
    expect(documents.get('apps/flights')).toEqual({ ok: false, source: annotation, error });
    expect(read.calls.every((path) => !path.startsWith('/') && !path.startsWith('..'))).toBe(true);
  });

  it('lists only the APIs that carry the annotation', () => {
    const documents = documentsOf([api('a', 'apps'), api('b', 'apps', 'specs/b.yaml')], files({ 'specs/b.yaml': DOCUMENT }));
    expect([...documents.keys()]).toEqual(['apps/b']);
  });
});
