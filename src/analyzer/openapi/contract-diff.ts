import type { OpenApiDocument } from './documents.js';
import { diffOperations } from './operation-diff.js';
import { HTTP_METHODS, parseOpenApi } from './parse.js';
import type { ContractChange } from './types.js';

/**
 * The contract changes between the OpenAPI documents of two revisions (see openApiDocuments),
 * per API, sorted by API, operation, location and kind. An API whose document is in only one
 * revision has none (adding or removing the API or its annotation is the rest of the report's
 * business). A head document that cannot be read or parsed is one `document-invalid` change,
 * unless the base had the same problem. Never throws.
 */
export function contractChanges(base: ReadonlyMap<string, OpenApiDocument>, head: ReadonlyMap<string, OpenApiDocument>): ContractChange[] {
  const changes: ContractChange[] = [];
  for (const [api, after] of head) changes.push(...compareApi(api, base.get(api), after));
  return changes.sort(compareChanges);
}

function compareApi(api: string, before: OpenApiDocument | undefined, after: OpenApiDocument): ContractChange[] {
  const invalid = (problem: string): ContractChange[] => [
    { api, kind: 'document-invalid', breaking: false, location: after.source, message: `${problem}; the contract was not compared` },
  ];
  // A problem the base had too is not a change.
  if (!after.ok) {
    if (before !== undefined && !before.ok && before.error === after.error) return [];
    return invalid(`the OpenAPI document "${after.source}" cannot be read: ${after.error}`);
  }
  // Same text, same contract: the common case costs a string comparison.
  if (before?.ok === true && before.text === after.text) return [];
  const parsedAfter = parseOpenApi(after.text);
  const parsedBefore = before?.ok === true ? parseOpenApi(before.text) : undefined;
  if (!parsedAfter.ok) {
    if (parsedBefore?.ok === false && parsedBefore.error === parsedAfter.error) return [];
    return invalid(`the OpenAPI document ${describe(after.source)} ${parsedAfter.error}`);
  }
  // Without a readable base there is nothing to compare the head with.
  if (parsedBefore === undefined || !parsedBefore.ok) return [];
  try {
    const changes = diffOperations(parsedBefore, parsedAfter, after.source);
    return changes.map((change) => ({ api, ...change }));
  } catch (error) {
    // Schemas nested deeper than the stack: the document's problem, reported, not a crash.
    // Anything else is a bug, and is thrown.
    if (!(error instanceof RangeError)) throw error;
    return invalid(`the OpenAPI document ${describe(after.source)} cannot be compared: ${error.message}`);
  }
}

function describe(source: string): string {
  return source.startsWith('configmap:') ? `in ConfigMap ${source.slice('configmap:'.length)}` : `"${source}"`;
}

const METHOD_ORDER = [...HTTP_METHODS];

function compareChanges(a: ContractChange, b: ContractChange): number {
  return (
    compareStrings(a.api, b.api) ||
    compareOperations(a.operation, b.operation) ||
    compareStrings(a.location, b.location) ||
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.message, b.message)
  );
}

/** By path, then by method in the spec's order (get, put, post, ...); changes without an operation first. */
function compareOperations(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  const [methodA = '', pathA = ''] = split(a);
  const [methodB = '', pathB = ''] = split(b);
  return compareStrings(pathA, pathB) || METHOD_ORDER.indexOf(methodA.toLowerCase()) - METHOD_ORDER.indexOf(methodB.toLowerCase());
}

function split(operation: string): [string, string] {
  const space = operation.indexOf(' ');
  return [operation.slice(0, space), operation.slice(space + 1)];
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
