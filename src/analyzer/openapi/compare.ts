import { compareOpenApi, openapi3Rules, transformComapreRules, type CompareRule, type CompareRules, type Diff } from 'api-smart-diff';
import { isMap } from './parse.js';

export type { Diff };
export type JsonPath = readonly (string | number)[];

const META: unique symbol = Symbol('contract-diff');

/**
 * The library's OpenAPI rules without its classifiers and annotations: we keep what it does
 * well (matching paths across renamed template variables, parameters by `in` and name, media
 * types; resolving `$ref`s, cycles included; merging `allOf`) and classify the differences
 * ourselves (classify.ts says where its verdicts differ from ours). Without classifiers no
 * rule code runs on odd input, which the library would otherwise log to stderr.
 *
 * Built for each comparison: the rules hold the cache of compared `$ref` pairs and the refs
 * seen (for cycle detection), so rules shared between comparisons answer with the results of
 * an earlier document.
 */
function rules(): CompareRules {
  return transformComapreRules(openapi3Rules(), (rule) => {
    const { $: _classify, annotate: _annotate, ...rest } = rule as CompareRule & Record<string, unknown>;
    return rest as CompareRules;
  });
}

/** What the library reports about one document against another, and how to read it. */
export interface Comparison {
  readonly diffs: readonly Diff[];
  readonly view: MergedView;
}

/** Compares two parsed documents. Throws only on a library failure, which the caller reports. */
export function compareDocuments(before: Record<string, unknown>, after: Record<string, unknown>): Comparison {
  const { diffs, merged } = compareOpenApi(before, after, { rules: rules(), metaKey: META, annotateHook: () => '' });
  return { diffs, view: new MergedView(merged, diffs) };
}

/** Missing on one side: a key added (missing before) or removed (missing after). */
export const ABSENT: unique symbol = Symbol('absent');
export type Side = unknown | typeof ABSENT;

type MergeMeta = { action: 'add' | 'remove' | 'replace' | 'rename'; replaced?: unknown } | { array: Record<number, MergeMeta | undefined> };

/**
 * The merged document the library builds: the head document with, on each changed node, meta
 * data saying what it was before (removed nodes are kept in it). Diff paths name the base's
 * keys while the merged document has the head's: a renamed key (`/flights/{id}` →
 * `/flights/{flightId}`) is translated through the rename diffs.
 */
export class MergedView {
  readonly #merged: unknown;
  readonly #renames = new Map<string, Map<string | number, string | number>>();

  constructor(merged: unknown, diffs: readonly Diff[]) {
    this.#merged = merged;
    for (const diff of diffs) {
      if (diff.action !== 'rename' || (typeof diff.before !== 'string' && typeof diff.before !== 'number')) continue;
      const key = pathKey(diff.path);
      let renames = this.#renames.get(key);
      if (renames === undefined) this.#renames.set(key, (renames = new Map()));
      renames.set(diff.before, diff.after as string | number);
    }
  }

  /** A diff path with the head's names for renamed keys. */
  translate(path: JsonPath): (string | number)[] {
    const out: (string | number)[] = [];
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      out.push(this.#renames.get(pathKey(path.slice(0, i)))?.get(segment) ?? segment);
    }
    return out;
  }

  /** The merged node at a diff path, or undefined. */
  at(path: JsonPath): unknown {
    let node = this.#merged;
    for (const segment of this.translate(path)) {
      if (Array.isArray(node)) node = node[Number(segment)];
      else if (isMap(node)) node = Object.hasOwn(node, segment) ? node[segment] : caseInsensitive(node, String(segment));
      else return undefined;
    }
    return node;
  }
}

/**
 * The value of `key` in a merged node before and after the change. Arrays of plain values
 * (`enum`, `required`, 3.1 `type`) come back whole on each side, rebuilt from per-item meta.
 */
export function sides(node: unknown, key: string): [Side, Side] {
  if (!isMap(node) || !Object.hasOwn(node, key)) return [ABSENT, ABSENT];
  const value = node[key];
  const meta = (node as Record<symbol, Record<string, MergeMeta | undefined> | undefined>)[META]?.[key];
  if (meta === undefined) return [value, value];
  if ('action' in meta) {
    if (meta.action === 'add') return [ABSENT, value];
    if (meta.action === 'remove') return [value, ABSENT];
    if (meta.action === 'replace') return [meta.replaced, value];
    return [value, value];
  }
  if (!Array.isArray(value)) return [value, value];
  const actions = value.map((_item: unknown, index) => {
    const itemMeta = meta.array[index];
    return itemMeta !== undefined && 'action' in itemMeta ? itemMeta.action : undefined;
  });
  // The library reports a list that appeared (`enum: [a, b]` where there was none) item by
  // item; an empty list (which no schema keyword means on purpose) and no list read the same.
  if (value.length > 0 && actions.every((action) => action === 'add')) return [ABSENT, value];
  if (value.length > 0 && actions.every((action) => action === 'remove')) return [value, ABSENT];
  const before: unknown[] = [];
  const after: unknown[] = [];
  value.forEach((item: unknown, index) => {
    const itemMeta = meta.array[index];
    const change = itemMeta !== undefined && 'action' in itemMeta ? itemMeta : undefined;
    const action = change?.action;
    if (action !== 'add') before.push(action === 'replace' ? change?.replaced : item);
    if (action !== 'remove') after.push(item);
  });
  return [before, after];
}

/** True when `key` of a merged map was added by the change (it was not there before). */
export function isAdded(node: unknown, key: string): boolean {
  return sides(node, key)[0] === ABSENT && isMap(node) && Object.hasOwn(node, key);
}

function pathKey(path: JsonPath): string {
  return path.join('\u0000');
}

/** Response codes are matched case-insensitively (`2XX`, `2xx`), and diff paths may hold either. */
function caseInsensitive(node: Record<string, unknown>, key: string): unknown {
  const lower = key.toLowerCase();
  for (const name of Object.keys(node)) if (name.toLowerCase() === lower) return node[name];
  return undefined;
}
