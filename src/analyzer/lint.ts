import { formatFieldPath, type ResourceGraph } from '../model/index.js';
import { compareDiagnostics, type Diagnostic, type LintSummary, type Severity } from './diagnostic.js';
import type { ReportDescriptor, Rule } from './rule.js';
import { RULES } from './rules/index.js';

/** Per rule: turned off, or its severity changed. Rules not named keep their defaults. */
export type RuleSettings = Readonly<Record<string, Severity | 'off'>>;

export interface LintOptions {
  readonly rules?: RuleSettings;
  /** The rule set to run; the built-in rules by default (tests pass a single rule). */
  readonly ruleSet?: readonly Rule[];
}

export interface LintResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly summary: LintSummary;
}

const WHOLE_RESOURCE = ['metadata', 'name'] as const;

/** Runs every enabled rule over the graph and returns sorted diagnostics with a summary. */
export function lint(graph: ResourceGraph, options: LintOptions = {}): LintResult {
  const settings = options.rules ?? {};
  const diagnostics: Diagnostic[] = [];
  for (const rule of options.ruleSet ?? RULES) {
    // A rule that cannot be turned off cannot be downgraded either: its settings are ignored.
    const setting = rule.disableable === false ? undefined : settings[rule.id];
    if (setting === 'off') continue;
    const configured = setting;
    rule.check(graph, (descriptor) => diagnostics.push(toDiagnostic(rule, descriptor, configured)));
  }
  diagnostics.sort(compareDiagnostics);
  let errors = 0;
  for (const diagnostic of diagnostics) if (diagnostic.severity === 'error') errors++;
  return {
    diagnostics,
    summary: { files: graph.files, resources: graph.entries.length, errors, warnings: diagnostics.length - errors },
  };
}

function toDiagnostic(rule: Rule, descriptor: ReportDescriptor<string>, configured: Severity | undefined): Diagnostic {
  const { target, path } = descriptor;
  const inResource = 'source' in target;
  const position = inResource ? target.source.locate(path ?? WHOLE_RESOURCE, descriptor.at ?? 'value') : target;
  return {
    rule: rule.id,
    severity: configured ?? descriptor.severity ?? rule.severity,
    message: fill(rule.messages[descriptor.messageId] ?? descriptor.messageId, descriptor.data),
    file: position.file,
    line: position.line,
    column: position.column,
    ...(inResource && target.name !== undefined
      ? { resource: { kind: target.kind, ...(target.namespace === undefined ? {} : { namespace: target.namespace }), name: target.name } }
      : {}),
    ...(inResource && path !== undefined ? { field: formatFieldPath(path) } : {}),
  };
}

function fill(template: string, data: Readonly<Record<string, string | number>> | undefined): string {
  if (data === undefined) return template;
  return template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => (Object.hasOwn(data, key) ? String(data[key]) : whole));
}
