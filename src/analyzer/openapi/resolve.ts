import { isMap } from './parse.js';

/** A chain of references longer than this is a loop (`A: {$ref: B}`, `B: {$ref: A}`) or abuse. */
const MAX_HOPS = 16;

/** A node with its local `$ref`s followed, and the reference it came through, if any. */
export interface Resolved {
  readonly node: unknown;
  /** The first local reference followed (`#/components/schemas/Flight`), for cycle detection. */
  readonly ref: string | undefined;
}

/**
 * Follows local references (`#/components/...`). References to other files are not followed:
 * gitgate reads one document, and fetching others is no business of a report. A reference that
 * cannot be followed resolves to undefined.
 */
export function resolve(document: Record<string, unknown>, node: unknown): Resolved {
  let current = node;
  let first: string | undefined;
  for (let hop = 0; isMap(current) && typeof current.$ref === 'string'; hop++) {
    const ref = current.$ref;
    if (hop === MAX_HOPS || !ref.startsWith('#/')) return { node: undefined, ref: first };
    first ??= ref;
    current = pointer(document, ref);
  }
  return { node: current, ref: first };
}

/** The node a local reference points to, or undefined. */
export function pointer(document: Record<string, unknown>, ref: string): unknown {
  let node: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    } catch {
      return undefined;
    }
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isMap(node) && Object.hasOwn(node, segment)) node = node[segment];
    else return undefined;
  }
  return node;
}

/** `["paths", "/flights/{id}"]` → `/paths/~1flights~1{id}`. */
export function formatPointer(segments: readonly (string | number)[]): string {
  return segments.map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}
