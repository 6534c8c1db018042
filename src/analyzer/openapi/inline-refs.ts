import { isMap } from './parse.js';

/**
 * Above this many nodes once `$ref`s are expanded, `paths` is compared as written: a document
 * whose schemas reference each other widely can expand exponentially. 500,000 nodes take the
 * library about 2 s to compare.
 */
export const MAX_EXPANDED_NODES = 500_000;

/** Keywords beside a `$ref` that say nothing about the values allowed. */
const ANNOTATIONS = new Set(['description', 'summary', 'title', 'example', 'examples', 'deprecated', '$comment']);

/**
 * The document with every local `$ref` under `paths` replaced by what it points to, except
 * those that would recurse (left as `$ref`s, which the library resolves itself). Written
 * because the library compares a `$ref` on one side with an inline schema on the other as
 * structures, without resolving it: moving a schema into `components` (or back) read as every
 * field removed and added again. Resolved targets are shared, not copied, so the result is as
 * large as the input; undefined when its expansion would pass MAX_EXPANDED_NODES.
 */
export function inlineRefs(document: Record<string, unknown>, version: '3.0' | '3.1'): Record<string, unknown> | undefined {
  const resolved = new Map<string, Expanded>();
  const resolving = new Set<string>();

  const expand = (node: unknown): Expanded => {
    if (Array.isArray(node)) {
      let size = 1;
      const value = node.map((item) => {
        const expanded = expand(item);
        size += expanded.size;
        return expanded.value;
      });
      return { value, size };
    }
    if (!isMap(node)) return { value: node, size: 1 };
    const ref = node.$ref;
    if (typeof ref === 'string' && ref.startsWith('#/') && !resolving.has(ref)) {
      let target = resolved.get(ref);
      if (target === undefined) {
        const pointed = pointer(document, ref);
        if (pointed === undefined) return copy(node);
        resolving.add(ref);
        target = expand(pointed);
        resolving.delete(ref);
        resolved.set(ref, target);
      }
      const siblings = Object.keys(node).filter((key) => key !== '$ref' && !ANNOTATIONS.has(key));
      // OpenAPI 3.0 ignores whatever stands beside a $ref; 3.1 schemas apply it as well.
      if (version === '3.0' || siblings.length === 0) return target;
      const rest = copy(Object.fromEntries(siblings.map((key) => [key, node[key]])));
      const own = rest.value as Record<string, unknown>;
      own.allOf = [target.value, ...(Array.isArray(own.allOf) ? own.allOf : [])];
      return { value: own, size: rest.size + target.size };
    }
    return copy(node);
  };

  const copy = (node: Record<string, unknown>): Expanded => {
    let size = 1;
    const value: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      const expanded = expand(child);
      size += expanded.size;
      value[key] = expanded.value;
    }
    return { value, size };
  };

  const paths = expand(document.paths);
  return paths.size > MAX_EXPANDED_NODES ? undefined : { ...document, paths: paths.value };
}

interface Expanded {
  readonly value: unknown;
  /** Nodes once expanded; a shared target counts each time it is used. */
  readonly size: number;
}

/** The node a local reference (`#/components/schemas/Flight`) points to, or undefined. */
function pointer(document: Record<string, unknown>, ref: string): unknown {
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
