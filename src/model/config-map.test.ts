import { describe, expect, it } from 'vitest';
import { loadSources } from './load.js';

function entriesOf(content: string) {
  return loadSources([{ path: 'test.yaml', content }]).entries;
}

describe('ConfigMap data', () => {
  it('keeps the string values of a v1 ConfigMap, block scalars exactly as written', () => {
    const [entry] = entriesOf(`apiVersion: v1
kind: ConfigMap
metadata: { name: flights-openapi, namespace: apps }
data:
  openapi.yaml: |
    openapi: 3.1.0
    paths: {}
  version: "2"
`);
    expect(entry).toMatchObject({ kind: 'ConfigMap', name: 'flights-openapi', namespace: 'apps', known: false, problems: [] });
    expect(entry?.data).toEqual({ 'openapi.yaml': 'openapi: 3.1.0\npaths: {}\n', version: '2' });
  });

  it('leaves out values that are not strings', () => {
    const [entry] = entriesOf(`apiVersion: v1
kind: ConfigMap
metadata: { name: mixed }
data: { text: ok, count: 3, flag: true, list: [a], nested: { a: b }, empty: null }
`);
    expect(entry?.data).toEqual({ text: 'ok' });
  });

  it.each([
    ['a ConfigMap without data', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: empty }\n'],
    ['a ConfigMap whose data is not a map', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: bad }\ndata: [a, b]\n'],
    ['a Secret', 'apiVersion: v1\nkind: Secret\nmetadata: { name: s }\ndata: { key: dmFsdWU= }\n'],
    ['a ConfigMap of another API version', 'apiVersion: example.com/v1\nkind: ConfigMap\nmetadata: { name: other }\ndata: { key: value }\n'],
    ['a custom kind with data', 'apiVersion: apps.example.com/v1\nkind: Settings\nmetadata: { name: s }\ndata: { key: value }\n'],
  ])('is not kept for %s', (_name, content) => {
    const entries = entriesOf(content);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.data).toBeUndefined();
  });

  it('is undefined on the resources gitgate decodes', () => {
    const [entry] = entriesOf(`apiVersion: v1
kind: Service
metadata: { name: app, namespace: apps }
spec: { ports: [{ port: 80 }] }
`);
    expect(entry?.resource?.kind).toBe('Service');
    expect(entry?.data).toBeUndefined();
  });
});
