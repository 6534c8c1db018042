import { describe, expect, it } from 'vitest';
import { inlineRefs } from './inline-refs.js';

const response = (schema: unknown) => ({ responses: { '200': { description: 'ok', content: { 'application/json': { schema } } } } });

describe('inlineRefs', () => {
  it('replaces local references under paths with what they point to, leaving the document as it was', () => {
    const document = {
      openapi: '3.0.3',
      paths: { '/flights/{id}': { get: { parameters: [{ $ref: '#/components/parameters/Id' }], ...response({ $ref: '#/components/schemas/Flight' }) } } },
      components: {
        parameters: { Id: { name: 'id', in: 'path', required: true, schema: { type: 'string' } } },
        schemas: { Flight: { type: 'object', properties: { gate: { $ref: '#/components/schemas/Gate' } } }, Gate: { type: 'string' } },
      },
    };
    const before = structuredClone(document);
    const inlined = inlineRefs(document, '3.0');
    expect(inlined?.paths).toEqual({
      '/flights/{id}': {
        get: {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          ...response({ type: 'object', properties: { gate: { type: 'string' } } }),
        },
      },
    });
    expect(inlined?.components).toBe(document.components);
    expect(document).toEqual(before);
  });

  it('leaves a reference that would recurse, and references it cannot follow', () => {
    const document = {
      openapi: '3.0.3',
      paths: {
        '/nodes': { get: response({ $ref: '#/components/schemas/Node' }) },
        '/other': { get: response({ $ref: 'common.yaml#/Node' }) },
        '/missing': { get: response({ $ref: '#/components/schemas/Nothing' }) },
        '/bad': { get: response({ $ref: '#/components/schemas/%E0%A4%A' }) },
      },
      components: { schemas: { Node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } } } },
    };
    expect(inlineRefs(document, '3.0')?.paths).toEqual({
      '/nodes': { get: response({ type: 'object', properties: { children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } }) },
      '/other': { get: response({ $ref: 'common.yaml#/Node' }) },
      '/missing': { get: response({ $ref: '#/components/schemas/Nothing' }) },
      '/bad': { get: response({ $ref: '#/components/schemas/%E0%A4%A' }) },
    });
  });

  it('keeps what stands beside a 3.1 reference as allOf, and drops it in 3.0 as the spec says', () => {
    const schema = { $ref: '#/components/schemas/Code', maxLength: 3, description: 'an airport' };
    const document = (openapi: string) => ({ openapi, paths: { '/a': { get: response(schema) } }, components: { schemas: { Code: { type: 'string' } } } });
    expect(inlineRefs(document('3.1.0'), '3.1')?.paths).toEqual({ '/a': { get: response({ maxLength: 3, allOf: [{ type: 'string' }] }) } });
    expect(inlineRefs(document('3.0.3'), '3.0')?.paths).toEqual({ '/a': { get: response({ type: 'string' }) } });
    expect(inlineRefs({ ...document('3.1.0'), paths: { '/a': { get: response({ $ref: '#/components/schemas/Code', title: 'Code' }) } } }, '3.1')?.paths).toEqual({
      '/a': { get: response({ type: 'string' }) },
    });
  });

  it('gives up on a document whose references expand past the limit, in linear time', () => {
    // Each schema uses the next one twice: 2^40 nodes once expanded.
    const schemas: Record<string, unknown> = { S40: { type: 'string' } };
    for (let i = 0; i < 40; i++) schemas[`S${i}`] = { type: 'object', properties: { a: { $ref: `#/components/schemas/S${i + 1}` }, b: { $ref: `#/components/schemas/S${i + 1}` } } };
    const document = { openapi: '3.0.3', paths: { '/a': { get: response({ $ref: '#/components/schemas/S0' }) } }, components: { schemas } };
    const started = performance.now();
    expect(inlineRefs(document, '3.0')).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1000);
    // Below the limit the same shape is inlined: S30 expands to about 2^10 * 6 nodes.
    const small = { ...document, paths: { '/a': { get: response({ $ref: '#/components/schemas/S30' }) } } };
    expect(inlineRefs(small, '3.0')).toBeDefined();
  });
});
