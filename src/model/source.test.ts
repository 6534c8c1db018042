import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from './limits.js';
import { formatFieldPath, ResourceSource, type FieldPath } from './source.js';
import { parseYamlFile } from './yaml-file.js';

const TEXT = [
  'apiVersion: hub.traefik.io/v1alpha1', // 1
  'kind: APICollection', // 2
  'metadata:', // 3
  '  name: crm', // 4
  '  labels:', // 5
  '    area: crm', // 6
  'spec:', // 7
  '  pathPrefix: /crm', // 8
  '  apis:', // 9
  '    - name: employee-api', // 10
  '      namespace: apps', // 11
  '    - { name: customer-api }', // 12
  '  apiSelector:', // 13
  '    matchLabels: {}', // 14
  '  empty:', // 15
  '  nothing: null', // 16
  '---', // 17
  'apiVersion: hub.traefik.io/v1alpha1', // 18
  'kind: API', // 19
  'metadata: { name: a, namespace: apps }', // 20
  'x-base: &svc', // 21
  '  name: app', // 22
  '  port: { number: 80 }', // 23
  'spec:', // 24
  '  pathPrefix: /a', // 25
  '  service: *svc', // 26
  '',
].join('\n');

function sources(text: string): ResourceSource[] {
  const parsed = parseYamlFile('apps/crm.yaml', text, DEFAULT_LIMITS);
  expect(parsed.problems).toEqual([]);
  return parsed.documents.map((document) => new ResourceSource(document.file, document.index));
}

function at(source: ResourceSource, path: FieldPath, target?: 'value' | 'key'): string {
  const { file, line, column } = source.locate(path, target);
  return `${file}:${line}:${column}`;
}

describe('ResourceSource.locate', () => {
  const [collection, api] = sources(TEXT) as [ResourceSource, ResourceSource];

  it('a field points at its value', () => {
    expect(at(collection, ['metadata', 'name'])).toBe('apps/crm.yaml:4:9');
    expect(at(collection, ['spec', 'pathPrefix'])).toBe('apps/crm.yaml:8:15');
    expect(at(collection, ['spec', 'nothing'])).toBe('apps/crm.yaml:16:12');
    expect(at(collection, ['spec', 'apiSelector', 'matchLabels'])).toBe('apps/crm.yaml:14:18');
  });

  it('with target key, a field points at its key', () => {
    expect(at(collection, ['spec', 'pathPrefix'], 'key')).toBe('apps/crm.yaml:8:3');
    expect(at(collection, ['metadata', 'labels', 'area'], 'key')).toBe('apps/crm.yaml:6:5');
    expect(at(collection, ['spec', 'apis'], 'key')).toBe('apps/crm.yaml:9:3');
  });

  it('a list entry points at the entry, block or flow', () => {
    expect(at(collection, ['spec', 'apis', 0])).toBe('apps/crm.yaml:10:7');
    expect(at(collection, ['spec', 'apis', 1])).toBe('apps/crm.yaml:12:7');
  });

  it('a field inside a list entry points at its value', () => {
    expect(at(collection, ['spec', 'apis', 0, 'name'])).toBe('apps/crm.yaml:10:13');
    expect(at(collection, ['spec', 'apis', 0, 'namespace'])).toBe('apps/crm.yaml:11:18');
    expect(at(collection, ['spec', 'apis', 1, 'name'])).toBe('apps/crm.yaml:12:15');
  });

  it('a missing field falls back to the key of its deepest existing parent', () => {
    expect(at(collection, ['spec', 'service'])).toBe('apps/crm.yaml:7:1');
    expect(at(collection, ['spec', 'service', 'port', 'number'])).toBe('apps/crm.yaml:7:1');
    expect(at(collection, ['metadata', 'namespace'])).toBe('apps/crm.yaml:3:1');
    expect(at(collection, ['spec', 'apiSelector', 'matchExpressions'])).toBe('apps/crm.yaml:13:3');
  });

  it('a missing field of a list entry falls back to the entry', () => {
    expect(at(collection, ['spec', 'apis', 1, 'namespace'])).toBe('apps/crm.yaml:12:7');
  });

  it('an index past the end, or a key asked of a list, falls back to the list key', () => {
    expect(at(collection, ['spec', 'apis', 5])).toBe('apps/crm.yaml:9:3');
    expect(at(collection, ['spec', 'apis', 'name'])).toBe('apps/crm.yaml:9:3');
    expect(at(collection, ['spec', 'pathPrefix', 0])).toBe('apps/crm.yaml:8:3');
  });

  it('a key with no value points at the key', () => {
    expect(at(collection, ['spec', 'empty'])).toBe('apps/crm.yaml:15:3');
    expect(at(collection, ['spec', 'empty', 'deeper'])).toBe('apps/crm.yaml:15:3');
  });

  it('the empty path points at the start of the document', () => {
    expect(at(collection, [])).toBe('apps/crm.yaml:1:1');
    expect(at(api, [])).toBe('apps/crm.yaml:18:1');
  });

  it('positions in a later document are positions in the file', () => {
    expect(at(api, ['kind'])).toBe('apps/crm.yaml:19:7');
    expect(at(api, ['metadata', 'name'])).toBe('apps/crm.yaml:20:19');
    expect(at(api, ['metadata', 'namespace'])).toBe('apps/crm.yaml:20:33');
  });

  it('an alias as the value points at the alias', () => {
    expect(at(api, ['spec', 'service'])).toBe('apps/crm.yaml:26:12');
    expect(at(api, ['spec', 'service'], 'key')).toBe('apps/crm.yaml:26:3');
  });

  it('a field reached through an alias points at the anchored text', () => {
    expect(at(api, ['spec', 'service', 'name'])).toBe('apps/crm.yaml:22:9');
    expect(at(api, ['spec', 'service', 'port', 'number'])).toBe('apps/crm.yaml:23:19');
  });

  it('a field missing behind an alias falls back to the key that holds the alias', () => {
    expect(at(api, ['spec', 'service', 'openApiSpec'])).toBe('apps/crm.yaml:26:3');
  });

  it('CRLF line endings give the same lines and columns', () => {
    const [crlfCollection, crlfApi] = sources(TEXT.replaceAll('\n', '\r\n')) as [ResourceSource, ResourceSource];
    const paths: FieldPath[] = [
      ['metadata', 'name'],
      ['spec', 'apis', 1, 'name'],
      ['spec', 'service'],
      ['spec', 'empty'],
    ];
    for (const path of paths) expect(at(crlfCollection, path), formatFieldPath(path)).toBe(at(collection, path));
    expect(at(crlfApi, ['spec', 'service', 'port', 'number'])).toBe('apps/crm.yaml:23:19');
  });

  it('a byte-order mark does not shift the first line', () => {
    const [withBom] = sources(`\ufeff${TEXT}`) as [ResourceSource];
    expect(at(withBom, ['apiVersion'], 'key')).toBe('apps/crm.yaml:1:1');
    expect(at(withBom, ['apiVersion'])).toBe('apps/crm.yaml:1:13');
    expect(at(withBom, ['metadata', 'name'])).toBe('apps/crm.yaml:4:9');
  });

  it('numeric and quoted keys are found by their text', () => {
    const [doc] = sources('data:\n  80: http\n  "quoted key": x\n  \'single\': y\n') as [ResourceSource];
    expect(at(doc, ['data', '80'])).toBe('apps/crm.yaml:2:7');
    expect(at(doc, ['data', 'quoted key'])).toBe('apps/crm.yaml:3:17');
    expect(at(doc, ['data', 'single'])).toBe('apps/crm.yaml:4:13');
  });
});

describe('formatFieldPath', () => {
  it('writes keys dotted and indexes in brackets', () => {
    expect(formatFieldPath(['spec', 'service', 'name'])).toBe('spec.service.name');
    expect(formatFieldPath(['spec', 'apis', 1, 'name'])).toBe('spec.apis[1].name');
    expect(formatFieldPath(['spec', 'routes', 0, 'headers', 'X-Version'])).toBe('spec.routes[0].headers.X-Version');
    expect(formatFieldPath(['matchExpressions', 0, 'values', 2])).toBe('matchExpressions[0].values[2]');
    expect(formatFieldPath([0, 'name'])).toBe('[0].name');
    expect(formatFieldPath([])).toBe('');
  });
});
