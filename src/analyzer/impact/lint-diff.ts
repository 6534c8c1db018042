import type { Diagnostic } from '../diagnostic.js';

/**
 * Diagnostics the change introduces and fixes. Lines move when files change, so a finding is
 * identified by rule, severity, message, resource and field, and counted (a finding reported
 * twice before and three times after is introduced once).
 */
export function diffLint(base: readonly Diagnostic[], head: readonly Diagnostic[]): { introduced: Diagnostic[]; fixed: Diagnostic[] } {
  const counts = new Map<string, number>();
  for (const d of base) counts.set(identity(d), (counts.get(identity(d)) ?? 0) + 1);
  const introduced: Diagnostic[] = [];
  for (const d of head) {
    const key = identity(d);
    const left = counts.get(key) ?? 0;
    if (left > 0) counts.set(key, left - 1);
    else introduced.push(d);
  }
  const headCounts = new Map<string, number>();
  for (const d of head) headCounts.set(identity(d), (headCounts.get(identity(d)) ?? 0) + 1);
  const fixed: Diagnostic[] = [];
  for (const d of base) {
    const key = identity(d);
    const left = headCounts.get(key) ?? 0;
    if (left > 0) headCounts.set(key, left - 1);
    else fixed.push(d);
  }
  return { introduced, fixed };
}

function identity(d: Diagnostic): string {
  const resource = d.resource === undefined ? d.file : `${d.resource.kind}/${d.resource.namespace ?? ''}/${d.resource.name}`;
  return `${d.rule}\0${d.severity}\0${d.message}\0${resource}\0${d.field ?? ''}`;
}
