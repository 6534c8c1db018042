import { describe, expect, it } from 'vitest';
import { parseOpenApi } from './parse.js';

describe('parseOpenApi', () => {
  it('reads YAML with the core schema: dates and yes/no stay strings', () => {
    const parsed = parseOpenApi('openapi: 3.0.3\ninfo: { title: t, version: 2024-01-01 }\npaths:\n  /a:\n    get: { responses: { "200": { description: yes } } }\n');
    expect(parsed).toEqual({
      ok: true,
      version: '3.0',
      document: { openapi: '3.0.3', info: { title: 't', version: '2024-01-01' }, paths: { '/a': { get: { responses: { '200': { description: 'yes' } } } } } },
    });
  });

  it('reads JSON, and a 3.1 document without paths', () => {
    expect(parseOpenApi('{"openapi": "3.1.0", "webhooks": {}}')).toEqual({ ok: true, version: '3.1', document: { openapi: '3.1.0', webhooks: {}, paths: {} } });
  });

  it('says where broken JSON is wrong, as YAML does', () => {
    expect(parseOpenApi('{"openapi": "3.1.0",\n "paths": {]\n}')).toMatchObject({ ok: false, error: expect.stringMatching(/^is not valid YAML or JSON \(line 2, column \d+\)/) });
  });

  it('refuses a document larger than the limit', () => {
    expect(parseOpenApi(`openapi: 3.0.3\npaths: {}\n#${'x'.repeat(8 * 1024 * 1024)}`)).toMatchObject({ ok: false, error: expect.stringMatching(/larger than the limit of 8388608 bytes$/) });
  });
});
