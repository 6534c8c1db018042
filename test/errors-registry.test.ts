import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GATEWAY_ERRORS } from '../src/gateway/index.js';
import { IDENTITY_ERRORS } from '../src/identity/index.js';

// Keeps the error registries and docs/errors.md in step: every code documented, with its status.
const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

describe('error registries', () => {
  for (const [name, registry] of [['gateway', GATEWAY_ERRORS], ['identity', IDENTITY_ERRORS]] as const) {
    it(`documents every ${name} code with its status`, () => {
      for (const [code, { status }] of Object.entries(registry)) {
        expect(code).toMatch(/^ERR_[A-Z]+_[A-Z_]+$/);
        expect(doc, code).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
      }
    });
  }

  it('documents no gateway or identity code that does not exist', () => {
    const documented = [...doc.matchAll(/\| `(ERR_(?:GW|ID)_[A-Z_]+)` \|/g)].map((m) => m[1]);
    const known = new Set([...Object.keys(GATEWAY_ERRORS), ...Object.keys(IDENTITY_ERRORS)]);
    for (const code of documented) expect(known.has(code!), code).toBe(true);
  });
});
