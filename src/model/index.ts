/**
 * The resource model: kinds and their schemas, YAML loading with source positions, label
 * selectors and the ResourceGraph. Imports nothing else of gitgate.
 */
export { HUB_API_VERSION, HUB_GROUP, KINDS, KIND_NAMES, DEFAULT_NAMESPACE, isKind } from './kinds.js';
export type { Kind, HubKind, CoreKind, KindInfo } from './kinds.js';
export type * from './types.js';
export { DEFAULT_LIMITS } from './limits.js';
export type { LoadLimits } from './limits.js';
export { loadSources } from './load.js';
export type { LoadResult, SourceInput } from './load.js';
export { readSourceDir, ReadError } from './read-dir.js';
export type { ReadOptions, ReadResult } from './read-dir.js';
export { ResourceGraph, createGraph } from './graph.js';
export type { Grant } from './graph.js';
export { resourceId, resourceRef } from './resource.js';
export type { Resource, ResourceEntry } from './resource.js';
export type { SchemaProblem } from './schema/decode.js';
export { formatFieldPath, ResourceSource, SourceFile } from './source.js';
export type { FieldPath, Position } from './source.js';
export type { FileProblem } from './yaml-file.js';
export { compileSelector, matchesSelector, selectorProblems, SELECTOR_OPERATORS } from './selector.js';
export type { SelectorProblem } from './selector.js';
export { parseDuration, formatDuration } from './duration.js';
export { isSemver, normalizeRelease } from './semver.js';
export { checkDnsLabel, checkLabelKey, checkLabelValue, isDomainName } from './names.js';
export { checkPath } from './schema/shared.js';

import { loadSources, type SourceInput } from './load.js';
import { createGraph, type ResourceGraph } from './graph.js';
import type { LoadLimits } from './limits.js';

/** Loads files into a graph in one call. */
export function graphFromSources(inputs: readonly SourceInput[], limits?: LoadLimits): ResourceGraph {
  return createGraph(loadSources(inputs, limits));
}
