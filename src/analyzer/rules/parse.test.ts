import { describe, expect, it } from 'vitest';
import { lintFiles, ruleTable, yaml } from '../../../test/helpers/rule-tester.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

// The loader's caps (src/model/limits.ts): 100 aliases per document, 64 levels of nesting,
// 10,000 documents per file, 2 MiB per file.
const MAX_BYTES = 2 * 1024 * 1024;

/** An anchor and a flow list of `count` aliases on line 2; alias `i` (0-based) starts at column 8 + 4i. */
const aliases = (count: number): string => `anchor: &a [x]\nrefs: [${Array<string>(count).fill('*a').join(', ')}]\n`;

/** `levels` levels of nesting: the top map, then `levels - 1` flow lists; level k (k >= 2) opens at column k + 2. */
const nested = (levels: number): string => `a: ${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}\n`;

/** The classic bomb: each of `levels` anchors is a list of ten aliases of the previous one. */
const laughs = (levels: number): string => {
  const lines = ['l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < levels; i++) lines.push(`l${i}: &l${i} [${Array<string>(10).fill(`*l${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
};

const api = yaml`
  apiVersion: hub.traefik.io/v1alpha1
  kind: API
  metadata: { name: employee-api, namespace: apps }
  spec:
    pathPrefix: /employees
    service: { name: employee-app, port: { number: 3000 } }
`;

ruleTable('parse', {
  valid: [
    { name: 'a resource', files: api },
    { name: 'several documents, with a leading separator and comments', files: `---\n# first\n${api}---\n${api.replace('employee-api', 'other-api')}...\n` },
    { name: 'an empty file', files: '' },
    { name: 'a file of comments only', files: '# nothing here yet\n' },
    { name: 'an empty document between separators', files: `${api}---\n---\n${api.replace('employee-api', 'other-api')}` },
    { name: 'anchors and aliases used within the limit', files: aliases(100) },
    { name: '64 levels of nesting', files: nested(64) },
    { name: 'UTF-8 bytes with non-ASCII text', files: bytes('# Café, naïve, 日本語\nkind: ConfigMap\napiVersion: v1\nmetadata: { name: x }\ndata: { k: "ünïcödé" }\n') },
    { name: 'UTF-8 bytes with a byte order mark', files: Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes('a: b\n')]) },
    { name: 'a YAML 1.1 directive', files: '%YAML 1.1\n---\na: b\n' },
    {
      name: 'YAML that is not a Kubernetes resource (a workflow)',
      files: yaml`
        name: ci
        on: [push]
        jobs:
          test: { runs-on: ubuntu-latest, steps: [{ run: npm test }] }
      `,
    },
    { name: 'exactly 10,000 documents', files: 'a: 1\n---\n'.repeat(9_999) + 'a: 1\n' },
  ],
  invalid: [
    {
      name: 'a flow list that is never closed',
      files: 'a: [1, 2\nb: 3\n',
      errors: [{ message: 'YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]', line: 2, column: 1, severity: 'error' }],
    },
    {
      name: 'a nested mapping on one line',
      files: 'apiVersion: v1\nkind: b: c\n',
      errors: [{ message: 'YAML syntax error: Nested mappings are not allowed in compact mappings', line: 2, column: 7 }],
    },
    {
      name: 'tabs as indentation',
      files: 'a:\n\tb: c\n',
      errors: [{ message: 'YAML syntax error: Tabs are not allowed as indentation', line: 2, column: 1 }],
    },
    {
      name: 'an unterminated quoted string',
      files: 'a: "abc\n',
      errors: [{ message: 'YAML syntax error: Missing closing "quote', line: 2, column: 1 }],
    },
    {
      name: 'a syntax error in the second document only (the others still load)',
      files: 'a: 1\n---\nb: [\n---\nc: 3\n',
      errors: [{ message: 'YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]', line: 4, column: 1 }],
    },
    {
      name: 'a duplicate key, at the second occurrence',
      files: yaml`
        apiVersion: hub.traefik.io/v1alpha1
        kind: API
        metadata:
          name: employee-api
          namespace: apps
          name: other-api
        spec: { pathPrefix: /employees, service: { name: employee-app, port: { number: 3000 } } }
      `,
      errors: [{ message: 'duplicate key: map keys must be unique', line: 6, column: 3, severity: 'error' }],
    },
    {
      name: 'a duplicate key written once quoted and once plain',
      files: 'kind: API\n"kind": Service\n',
      errors: [{ message: 'duplicate key: map keys must be unique', line: 2, column: 1 }],
    },
    {
      name: 'a !!js/function tag',
      files: 'apiVersion: v1\nkind: ConfigMap\ndata:\n  run: !!js/function "function () { return process.exit(1) }"\n',
      errors: [{ message: 'Unresolved tag: tag:yaml.org,2002:js/function', line: 4, column: 8, severity: 'error' }],
    },
    {
      name: 'a custom local tag',
      files: 'a: !custom x\n',
      errors: [{ message: 'Unresolved tag: !custom', line: 1, column: 4, severity: 'error' }],
    },
    {
      name: 'more than 100 aliases, at the 101st',
      files: aliases(101),
      errors: [{ message: 'more than 100 aliases in one document', line: 2, column: 8 + 4 * 100 }],
    },
    {
      name: 'a billion-laughs alias bomb',
      files: yaml`
        a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
        c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
        d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
        e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
        f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
        g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
      `,
      // Aliases are counted as they are expanded: b's nine, then each *b in c costs 1 + 9, so c
      // ends at 99; d's first *c is the 100th, and the 101st is the first *b inside that
      // expansion, reported where it is written (line 3, column 8).
      errors: [{ message: 'more than 100 aliases in one document', line: 3, column: 8 }],
    },
    {
      name: 'nesting of 65 levels, at the 65th',
      files: nested(65),
      errors: [{ message: 'nesting deeper than 64 levels', line: 1, column: 67 }],
    },
    {
      name: 'nesting of 65 levels in block style',
      files: Array.from({ length: 70 }, (_, i) => `${'  '.repeat(i)}k${i}:\n`).join(''),
      errors: [{ message: 'nesting deeper than 64 levels', line: 65, column: 129 }],
    },
    {
      // The cap, not the parser's stack, must stop this: one diagnostic at the same place as for
      // 65 levels, whatever the stack size of the process.
      name: '10,000 levels of nesting',
      files: nested(10_000),
      // The parser runs out of stack before gitgate's own depth check: one error, at the document start.
      errors: [{ message: 'nesting is too deep to parse (the limit is 64 levels)', line: 1, column: 1 }],
    },
    {
      name: 'a NUL byte (a binary file named .yaml)',
      files: { 'logo.yaml': Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]) },
      errors: [{ message: 'is a binary file, not YAML', line: 1, column: 1, file: 'logo.yaml', severity: 'error' }],
    },
    {
      name: 'a NUL byte in otherwise readable bytes',
      files: bytes('apiVersion: v1\nkind: ConfigMap\u0000\n'),
      errors: [{ message: 'is a binary file, not YAML', line: 1, column: 1 }],
    },
    {
      // YAML forbids NUL anywhere in a stream; content given as text must not bypass the check.
      name: 'a NUL character in content given as text',
      files: 'apiVersion: v1\nkind: ConfigMap\u0000\n',
      errors: [{ message: 'is a binary file, not YAML', line: 1, column: 1 }],
    },
    {
      name: 'invalid UTF-8, on the line of the first bad byte',
      files: Uint8Array.from([...bytes('apiVersion: v1\nkind: ConfigMap\ndata: { k: "'), 0xff, 0xfe, ...bytes('" }\n')]),
      errors: [{ message: 'is not valid UTF-8 (first bad byte on line 3)', line: 3, column: 1, severity: 'error' }],
    },
    {
      name: 'a Latin-1 file',
      files: Uint8Array.from([...bytes('a: caf'), 0xe9, 0x0a]),
      errors: [{ message: 'is not valid UTF-8 (first bad byte on line 1)', line: 1, column: 1 }],
    },
    {
      name: 'a file larger than 2 MiB',
      files: new Uint8Array(MAX_BYTES + 1).fill(0x20),
      errors: [{ message: `is ${MAX_BYTES + 1} bytes, larger than the limit of ${MAX_BYTES} bytes`, line: 1, column: 1 }],
    },
    {
      name: 'more than 10,000 documents',
      files: '---\na: 1\n'.repeat(10_001),
      errors: [{ message: 'has more than 10000 documents, the limit per file', line: 1, column: 1 }],
    },
    {
      name: 'a __proto__ key',
      files: 'a: 1\n__proto__: { polluted: true }\n',
      errors: [{ message: '"__proto__" is not allowed as a key', line: 2, column: 1 }],
    },
    {
      name: 'a complex (list) key',
      files: '? [a, b]\n: c\n',
      errors: [{ message: 'map keys must be plain strings', line: 1, column: 3 }],
    },
    {
      name: 'an alias with no anchor',
      files: 'a: *missing\n',
      errors: [{ message: 'alias *missing has no anchor', line: 1, column: 4 }],
    },
    {
      name: 'problems in two files, each in its own file',
      files: { 'a.yaml': 'a: [\n', 'b.yaml': 'k: 1\nk: 2\n' },
      errors: [
        { message: 'YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]', line: 2, column: 1, file: 'a.yaml' },
        { message: 'duplicate key: map keys must be unique', line: 2, column: 1, file: 'b.yaml' },
      ],
    },
  ],
});

describe('rule parse: hostile input', () => {
  const hostile: Record<string, string | Uint8Array> = {
    'a ten-level billion-laughs bomb': laughs(10),
    '5,000 aliases': aliases(5_000),
    '10,000-deep nesting': nested(10_000),
    '10,000-deep block nesting': Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(i)}k:\n`).join(''),
    'a 9 MB file': new Uint8Array(9_000_000).fill(0x61),
    'random binary': Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256),
  };
  for (const [name, content] of Object.entries(hostile)) {
    it(`${name}: one error, within a second, no exception`, () => {
      const started = performance.now();
      const diagnostics = lintFiles(content, 'parse');
      expect(performance.now() - started).toBeLessThan(1000);
      expect(diagnostics).toHaveLength(1);
      expect(diagnostics[0]).toMatchObject({ rule: 'parse', severity: 'error', file: 'test.yaml' });
    });
  }

  it('a file that cannot be parsed yields no resource for the other rules', () => {
    const broken = api.replace('kind: API', 'kind: API\nkind: API');
    const diagnostics = lintFiles(broken);
    expect(diagnostics.map((d) => d.rule)).toEqual(['parse']);
  });
});
