import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
// ajv-draft-04 is CommonJS: under NodeNext its default import is the module, the class is `.default`.
import Ajv from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { yaml } from '../../../test/helpers/rule-tester.js';
import { graphFromSources } from '../../model/index.js';
import { compareDiagnostics, type Diagnostic } from '../diagnostic.js';
import { lint } from '../lint.js';
import { RULES } from '../rules/index.js';
import { escapeXml } from './checkstyle.js';
import { REPORTERS, type ReportContext, type ReportFormat } from './index.js';

/** Golden files are rewritten instead of compared when UPDATE_GOLDEN=1 (scripts/update-golden.sh). */
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const GOLDEN_DIR = new URL('../../../test/golden/reporters/', import.meta.url);
const SARIF_SCHEMA = new URL('../../../node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json', import.meta.url);

/** A `Record` over every format, so registering a reporter without a golden file fails to type-check. */
const EXTENSIONS: Readonly<Record<ReportFormat, string>> = {
  unix: 'txt',
  json: 'json',
  checkstyle: 'xml',
  sarif: 'sarif',
  github: 'txt',
  markdown: 'md',
};
const FORMATS = Object.keys(REPORTERS) as ReportFormat[];

const ESCAPE_FILE = 'escape/odd name, 100%: a&b.yaml';
// Every character some format must escape: XML markup and quotes, markdown syntax and table pipes,
// GitHub's `%`, `,`, `:` and line breaks, a control character XML cannot carry, and non-ASCII.
const ESCAPE_MESSAGE = `unexpected "|" in <flow> & 'quoted' at 100%, *not* _markdown_ \`code\` [link] \\ ~x~ \u0007bell,\r\nsecond: line é 🚀`;

/**
 * The diagnostics every golden file renders: real lint output over two files (errors and
 * warnings, a namespaced and a cluster-scoped resource, field and whole-resource findings), plus
 * one hand-made, resource-less diagnostic whose message and file name need escaping everywhere.
 */
function fixture(): { diagnostics: readonly Diagnostic[]; context: ReportContext } {
  const graph = graphFromSources([
    {
      path: 'apis/employee.yaml',
      content: yaml`
        apiVersion: hub.traefik.io/v1alpha1
        kind: API
        metadata: { name: employee-api, namespace: apps }
        spec:
          pathPrefix: /employees
          service:
            name: employee-app
            port: { number: 3000 }
            openApiSpec: { path: /openapi.yaml, port: { number: 3000 } }
      `,
    },
    {
      path: 'access/crm.yaml',
      content: yaml`
        apiVersion: hub.traefik.io/v1alpha1
        kind: APIAccess
        metadata: { name: crm-all }
        spec:
          groups: [crm-user]
          apis: [{ name: employee-api, namespace: apps }, { name: missing-api, namespace: apps }]
        ---
        apiVersion: hub.traefik.io/v1alpha1
        kind: APICollection
        metadata: { name: unused }
        spec:
          apis: [{ name: employee-api, namespace: apps }]
        ---
        apiVersion: hub.traefik.io/v1alpha1
        kind: APIGateway
        metadata: { name: gateway }
        spec: { apiAccesses: [crm-all] }
      `,
    },
    { path: ESCAPE_FILE, content: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: odd, namespace: apps }\n' },
  ]);
  const result = lint(graph);
  const escaped: Diagnostic = { rule: 'parse', severity: 'error', message: ESCAPE_MESSAGE, file: ESCAPE_FILE, line: 3, column: 5 };
  const diagnostics = [...result.diagnostics, escaped].sort(compareDiagnostics);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const summary = { ...result.summary, errors, warnings: diagnostics.length - errors };
  return { diagnostics, context: { summary, rules: RULES, toolVersion: '0.0.0-test' } };
}

const { diagnostics, context } = fixture();
const emptyContext: ReportContext = { ...context, summary: { files: 2, resources: 4, errors: 0, warnings: 0 } };

function golden(name: string, actual: string): void {
  const url = new URL(name, GOLDEN_DIR);
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(url, actual);
    return;
  }
  expect(actual, `${name} differs from its golden file; run scripts/update-golden.sh and review the diff`).toBe(readFileSync(url, 'utf8'));
}

describe('the reporters fixture', () => {
  it('covers what the golden files are meant to show', () => {
    const files = new Set(diagnostics.filter((d) => d.file !== ESCAPE_FILE).map((d) => d.file));
    expect([...files].sort()).toEqual(['access/crm.yaml', 'apis/employee.yaml']);
    for (const file of files) {
      expect(diagnostics.filter((d) => d.file === file).map((d) => d.severity)).toEqual(expect.arrayContaining(['error', 'warning']));
    }
    expect(diagnostics.some((d) => d.resource !== undefined && !('namespace' in d.resource))).toBe(true);
    expect(diagnostics.some((d) => d.resource?.namespace !== undefined)).toBe(true);
    expect(diagnostics.some((d) => d.resource !== undefined && d.field === undefined)).toBe(true);
    expect(diagnostics.some((d) => d.resource === undefined)).toBe(true);
    expect(context.summary).toEqual({ files: 3, resources: 5, errors: 3, warnings: 2 });
  });
});

describe.each(FORMATS)('reporter %s', (format) => {
  const ext = EXTENSIONS[format];
  it('matches its golden file', () => {
    golden(`${format}.${ext}`, REPORTERS[format](diagnostics, context));
  });
  it('matches its golden file with no diagnostics', () => {
    golden(`${format}.empty.${ext}`, REPORTERS[format]([], emptyContext));
  });
  it('is pure: the same input gives the same output, and the input is left alone', () => {
    const before = structuredClone(diagnostics);
    expect(REPORTERS[format](diagnostics, context)).toBe(REPORTERS[format](diagnostics, context));
    expect(diagnostics).toEqual(before);
  });
});

it('test/golden/reporters holds exactly the golden files of the registered formats', () => {
  const expected = FORMATS.flatMap((f) => [`${f}.${EXTENSIONS[f]}`, `${f}.empty.${EXTENSIONS[f]}`]).sort();
  expect(readdirSync(GOLDEN_DIR).sort()).toEqual(expected);
});

describe('json', () => {
  const parsed = JSON.parse(REPORTERS.json(diagnostics, context)) as { diagnostics: Record<string, unknown>[]; summary: unknown };

  it('round-trips to the diagnostics and the summary', () => {
    expect(parsed).toEqual({ diagnostics: diagnostics.map((d) => ({ ...d })), summary: context.summary });
    expect(Object.keys(parsed)).toEqual(['diagnostics', 'summary']);
    expect(Object.keys(parsed.summary as object)).toEqual(['files', 'resources', 'errors', 'warnings']);
  });

  it('keeps the documented key order and leaves absent parts out', () => {
    expect(Object.keys(parsed.diagnostics[0]!)).toEqual(['rule', 'severity', 'message', 'file', 'line', 'column', 'resource', 'field']);
    const namespaced = parsed.diagnostics.find((d) => (d.resource as { namespace?: string } | undefined)?.namespace !== undefined);
    expect(Object.keys(namespaced!.resource as object)).toEqual(['kind', 'namespace', 'name']);
    const cluster = parsed.diagnostics.find((d) => d.resource !== undefined && !('namespace' in (d.resource as object)));
    expect(Object.keys(cluster!.resource as object)).toEqual(['kind', 'name']);
    const wholeResource = parsed.diagnostics.find((d) => d.resource !== undefined && !('field' in d));
    expect(Object.keys(wholeResource!)).toEqual(['rule', 'severity', 'message', 'file', 'line', 'column', 'resource']);
    const fileLevel = parsed.diagnostics.find((d) => d.file === ESCAPE_FILE);
    expect(Object.keys(fileLevel!)).toEqual(['rule', 'severity', 'message', 'file', 'line', 'column']);
  });
});

describe('sarif', () => {
  const log = JSON.parse(REPORTERS.sarif(diagnostics, context)) as SarifLog;

  it('validates against the SARIF 2.1.0 JSON schema', () => {
    const validate = sarifValidator();
    for (const output of [REPORTERS.sarif(diagnostics, context), REPORTERS.sarif([], emptyContext)]) {
      const valid = validate(JSON.parse(output));
      expect(validate.errors ?? [], 'schema errors').toEqual([]);
      expect(valid).toBe(true);
    }
  });

  it('lists every rule, with its description, docs link and default level', () => {
    const run = log.runs[0]!;
    expect(run.tool.driver.version).toBe('0.0.0-test');
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    for (const rule of RULES) {
      expect(run.tool.driver.rules.find((r) => r.id === rule.id)).toEqual({
        id: rule.id,
        shortDescription: { text: rule.description },
        helpUri: `https://github.com/gitgate/gitgate/blob/main/docs/rules/${rule.id}.md`,
        defaultConfiguration: { level: rule.severity },
      });
    }
  });

  it('points each result at its rule and at its file as a relative URI', () => {
    const run = log.runs[0]!;
    expect(run.results).toHaveLength(diagnostics.length);
    run.results.forEach((result, i) => {
      const d = diagnostics[i]!;
      expect(run.tool.driver.rules[result.ruleIndex]!.id).toBe(d.rule);
      expect(result.level).toBe(d.severity);
      expect(result.message.text).toBe(d.message);
      const location = result.locations[0]!.physicalLocation;
      expect(decodeURIComponent(location.artifactLocation.uri)).toBe(d.file);
      expect(location.region).toEqual({ startLine: d.line, startColumn: d.column });
    });
    expect(run.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri)).toContain('escape/odd%20name%2C%20100%25%3A%20a%26b.yaml');
  });
});

describe('checkstyle', () => {
  it('carries every message and file name back unchanged through XML unescaping', () => {
    const output = REPORTERS.checkstyle(diagnostics, context);
    const messages = [...output.matchAll(/ message="([^"]*)"/g)].map((m) => unescapeXml(m[1]!));
    expect(messages).toEqual(diagnostics.map((d) => d.message.replace('\u0007', '\uFFFD')));
    const files = [...output.matchAll(/<file name="([^"]*)">/g)].map((m) => unescapeXml(m[1]!));
    expect(files).toEqual([...new Set(diagnostics.map((d) => d.file))]);
  });

  it.each([
    ['markup and quotes', `a<b>&"c'`, 'a&lt;b&gt;&amp;&quot;c&apos;'],
    ['whitespace that attribute normalisation would collapse', 'a\tb\r\nc', 'a&#9;b&#13;&#10;c'],
    ['characters XML 1.0 cannot carry', 'a\u0000b\u001Fc\uFFFEd\uD800e', 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe'],
    ['a surrogate pair, kept whole', 'rocket 🚀', 'rocket 🚀'],
  ])('escapes %s', (_name, input, expected) => {
    expect(escapeXml(input)).toBe(expected);
  });
});

describe('github', () => {
  it('writes one annotation per diagnostic that the runner decodes back to the diagnostic', () => {
    const lines = REPORTERS.github(diagnostics, context).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(diagnostics.length);
    lines.forEach((line, i) => {
      const d = diagnostics[i]!;
      const match = /^::(error|warning) file=([^,]*),line=(\d+),col=(\d+),title=([^,]*)::(.*)$/.exec(line);
      expect(match, line).not.toBeNull();
      const [, severity, file, lineNo, col, title, message] = match!;
      expect([severity, decodeCommand(file!), Number(lineNo), Number(col), decodeCommand(title!), decodeCommand(message!)]).toEqual([
        d.severity,
        d.file,
        d.line,
        d.column,
        `gitgate ${d.rule}`,
        d.message,
      ]);
    });
  });
});

describe('markdown', () => {
  it('writes one table row per diagnostic, with every pipe inside a cell escaped', () => {
    const rows = REPORTERS.markdown(diagnostics, context)
      .split('\n')
      .filter((line) => line.startsWith('| '))
      .slice(2);
    expect(rows).toHaveLength(diagnostics.length);
    for (const row of rows) expect(row.match(/(?<!\\)\|/g)).toHaveLength(7);
  });
});

interface SarifLog {
  runs: {
    tool: { driver: { version: string; rules: { id: string }[] } };
    results: {
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: unknown } }[];
    }[];
  }[];
}

function sarifValidator() {
  // strict: false because the official schema uses draft-04 idioms strict mode rejects;
  // unicodeRegExp: false because its `language` pattern (`...]?$`) is invalid with the `u` flag.
  // The formats are checked for real (ajv-formats is not installed): RFC 3986 characters only.
  const ajv = new Ajv.default({ strict: false, unicodeRegExp: false, allErrors: true });
  const uriChars = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#[\]]|%[0-9A-Fa-f]{2})*$/;
  ajv.addFormat('uri', (s: string) => uriChars.test(s) && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) && URL.canParse(s));
  ajv.addFormat('uri-reference', (s: string) => uriChars.test(s));
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i.test(s) && !Number.isNaN(Date.parse(s)));
  return ajv.compile(JSON.parse(readFileSync(SARIF_SCHEMA, 'utf8')) as object);
}

function unescapeXml(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(?:#(\d+)|(\w+));/g, (_m, code: string | undefined, name: string | undefined) =>
    code !== undefined ? String.fromCodePoint(Number(code)) : named[name!]!,
  );
}

/** What the Actions runner does to a workflow command's data and properties. */
function decodeCommand(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}
