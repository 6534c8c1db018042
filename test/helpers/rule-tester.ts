import { describe, expect, it } from 'vitest';
import { lint, RULES, type Diagnostic, type Rule } from '../../src/analyzer/index.js';
import { graphFromSources } from '../../src/model/index.js';

/** A file's content: YAML text, or raw bytes (to test encodings and binary files). */
export type Content = string | Uint8Array;

/** Files by path, or a single file's content (loaded as `test.yaml`). */
export type Files = Content | Readonly<Record<string, Content>>;

/** Lints files with every rule (or only `rule`) and returns the sorted diagnostics. */
export function lintFiles(files: Files, rule?: Rule | string): readonly Diagnostic[] {
  const inputs =
    typeof files === 'string' || files instanceof Uint8Array
      ? [{ path: 'test.yaml', content: files }]
      : Object.entries(files).map(([path, content]) => ({ path, content }));
  const graph = graphFromSources(inputs);
  const ruleSet = rule === undefined ? RULES : [typeof rule === 'string' ? RULES.find((r) => r.id === rule)! : rule];
  return lint(graph, { ruleSet }).diagnostics;
}

export interface ExpectedDiagnostic {
  /** The exact message, or a pattern it must match. */
  readonly message: string | RegExp;
  readonly line: number;
  readonly column: number;
  readonly severity?: 'error' | 'warning';
  readonly field?: string;
  readonly file?: string;
}

export interface RuleTable {
  readonly valid: readonly { readonly name: string; readonly files: Files }[];
  readonly invalid: readonly { readonly name: string; readonly files: Files; readonly errors: readonly ExpectedDiagnostic[] }[];
}

/**
 * ESLint-style table for one rule: valid cases report nothing from the rule; each invalid case
 * reports exactly the listed diagnostics (rule, message, line, column), in order.
 */
export function ruleTable(ruleId: string, table: RuleTable): void {
  const rule = RULES.find((r) => r.id === ruleId);
  if (rule === undefined) throw new Error(`no rule ${ruleId}`);
  describe(`rule ${ruleId}`, () => {
    for (const { name, files } of table.valid) {
      it(`valid: ${name}`, () => {
        expect(lintFiles(files, rule).map(brief)).toEqual([]);
      });
    }
    for (const { name, files, errors } of table.invalid) {
      it(`invalid: ${name}`, () => {
        const actual = lintFiles(files, rule);
        expect(actual.map(brief)).toHaveLength(errors.length);
        errors.forEach((expected, i) => {
          const got = actual[i]!;
          expect(got.rule).toBe(ruleId);
          if (typeof expected.message === 'string') expect(got.message).toBe(expected.message);
          else expect(got.message).toMatch(expected.message);
          expect({ line: got.line, column: got.column }).toEqual({ line: expected.line, column: expected.column });
          if (expected.severity !== undefined) expect(got.severity).toBe(expected.severity);
          if (expected.field !== undefined) expect(got.field).toBe(expected.field);
          if (expected.file !== undefined) expect(got.file).toBe(expected.file);
        });
      });
    }
  });
}

function brief(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} ${d.severity} ${d.message} [${d.rule}]`;
}

/** Removes the common indentation of a template literal, so YAML can be written inline. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce((out, s, i) => out + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = text.replace(/^\n/, '').replace(/\n[ \t]*$/, '\n').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}
