import type { FieldPath, Position, ResourceGraph, ResourceSource } from '../model/index.js';
import type { Severity } from './diagnostic.js';

/** What a diagnostic points at: a field of a resource, or (without `path`) the resource itself. */
export interface Target {
  readonly kind: string;
  readonly name: string | undefined;
  readonly namespace: string | undefined;
  readonly source: ResourceSource;
}

export interface ReportDescriptor<M extends string> {
  readonly messageId: M;
  readonly data?: Readonly<Record<string, string | number>>;
  /** The resource the finding is about, or a file position for findings outside any resource. */
  readonly target: Target | Position;
  /** The field; absent for a diagnostic about the whole resource (it points at `metadata.name`). */
  readonly path?: FieldPath;
  /** Point at the field's key instead of its value (unknown or legacy fields). */
  readonly at?: 'key' | 'value';
  /** Overrides the rule's default severity for this finding (legacy fields are warnings). */
  readonly severity?: Severity;
}

export type Report<M extends string> = (descriptor: ReportDescriptor<M>) => void;

/**
 * A lint rule: metadata and a `check` that reads a frozen graph. Rules do no I/O and use no
 * clock or randomness, so the same graph always gives the same findings.
 */
export interface Rule<M extends string = string> {
  readonly id: string;
  readonly description: string;
  readonly severity: Severity;
  /** Message templates by id; `{{name}}` is replaced by `data.name`. */
  readonly messages: Readonly<Record<M, string>>;
  /** False for rules that cannot be turned off (a file that cannot be parsed is never fine). */
  readonly disableable?: boolean;
  check(graph: ResourceGraph, report: Report<M>): void;
}

export function defineRule<M extends string>(rule: Rule<M>): Rule<M> {
  return rule;
}
