/** The analyzer: lint rules, the rule runner and the reporters. */
export { lint } from './lint.js';
export type { LintOptions, LintResult, RuleSettings } from './lint.js';
export { compareDiagnostics } from './diagnostic.js';
export type { Diagnostic, DiagnosticResource, LintSummary, Severity } from './diagnostic.js';
export { defineRule } from './rule.js';
export type { Report, ReportDescriptor, Rule, Target } from './rule.js';
export { RULES } from './rules/index.js';
export { REPORTERS, isReportFormat } from './reporters/index.js';
export type { ReportContext, ReportFormat, Reporter } from './reporters/index.js';
export * from './impact/index.js';
export { contractChanges, openApiDocuments, OPENAPI_ANNOTATION } from './openapi/index.js';
export type { ContractChange, OpenApiDocument, ReadFile } from './openapi/index.js';
