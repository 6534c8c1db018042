import { isMap } from './parse.js';
import { resolve } from './resolve.js';

export type Direction = 'request' | 'response';
export type Segment = string | number;

/** One side of the comparison: a parsed document and its version. */
export interface DocumentSide {
  readonly document: Record<string, unknown>;
  readonly version: '3.0' | '3.1';
}

/**
 * A difference between two schemas, relative to them: `fields` are property names from the
 * schemas compared (`[]` for array items, `*` for additional properties), `pointer` the path
 * from them to the keyword or property. The caller knows where the schemas are used.
 */
export type Finding = { readonly fields: readonly string[]; readonly pointer: readonly Segment[] } & (
  | { readonly kind: 'field-removed' }
  | { readonly kind: 'field-added'; readonly required: boolean }
  /** A field required that was not: `added` when the field itself is new. */
  | { readonly kind: 'field-required'; readonly added: boolean }
  | { readonly kind: 'field-optional' }
  | { readonly kind: 'type'; readonly before: ReadonlySet<string>; readonly after: ReadonlySet<string> }
  /** Allowed values as JSON; undefined when any value is allowed. */
  | { readonly kind: 'enum'; readonly before: readonly string[] | undefined; readonly after: readonly string[] | undefined }
);

/** What a schema says about the values it allows, with `allOf` parts merged in. */
interface SchemaView {
  type: unknown;
  nullable: unknown;
  enum: unknown;
  const: { readonly value: unknown } | undefined;
  readonly properties: Map<string, unknown>;
  readonly required: Set<string>;
  items: unknown;
  additionalProperties: unknown;
}

export const JSON_TYPES: readonly string[] = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
/** Keywords beside a 3.1 `$ref` that allow no fewer values. */
const ANNOTATIONS = new Set(['description', 'summary', 'title', 'example', 'examples', 'deprecated', 'readOnly', 'writeOnly', '$comment']);
/** `allOf` inside `allOf` deeper than this is not merged (a loop through references). */
const MAX_ALL_OF_DEPTH = 16;

/** The differences between two schemas themselves, and the pairs of subschemas below them. */
interface Comparison {
  readonly findings: Finding[];
  readonly children: { readonly comparison: Comparison; readonly field: string; readonly pointer: readonly Segment[] }[];
}

/**
 * Compares schemas the way a client sees them: in a request, fewer allowed values break
 * clients; in a response, more do. A pair of referenced schemas is compared once per direction
 * and linked wherever it appears again, so shared and recursive schemas cost their size, not
 * the number of places that use them. A reference on one side and an inline schema on the
 * other compare by content: moving a schema into `components` changes nothing.
 */
export class SchemaDiffer {
  readonly #before: DocumentSide;
  readonly #after: DocumentSide;
  readonly #compared = new Map<string, Comparison>();

  constructor(before: DocumentSide, after: DocumentSide) {
    this.#before = before;
    this.#after = after;
  }

  /**
   * Every difference under two schemas, each schema pair's differences once, at the shortest
   * path that reaches the pair (a field of a recursive schema is not reported again one level
   * down, nor a schema used twice in one body twice).
   */
  diff(direction: Direction, before: unknown, after: unknown): Finding[] {
    const out: Finding[] = [];
    const reached = new Set<Comparison>();
    const queue: { comparison: Comparison; fields: readonly string[]; pointer: readonly Segment[] }[] = [{ comparison: this.#compare(direction, before, after), fields: [], pointer: [] }];
    reached.add(queue[0]!.comparison);
    // Breadth first, so the first path to reach a pair is a shortest one.
    for (let next = 0; next < queue.length; next++) {
      const { comparison, fields, pointer } = queue[next]!;
      for (const finding of comparison.findings) out.push({ ...finding, fields: [...fields, ...finding.fields], pointer: [...pointer, ...finding.pointer] });
      for (const child of comparison.children) {
        if (reached.has(child.comparison)) continue;
        reached.add(child.comparison);
        queue.push({ comparison: child.comparison, fields: [...fields, child.field], pointer: [...pointer, ...child.pointer] });
      }
    }
    return out;
  }

  #compare(direction: Direction, before: unknown, after: unknown): Comparison {
    const beforeRef = refOf(before);
    const afterRef = refOf(after);
    const key = beforeRef !== undefined && afterRef !== undefined ? `${direction}\u0000${beforeRef}\u0000${afterRef}` : undefined;
    const known = key === undefined ? undefined : this.#compared.get(key);
    if (known !== undefined) return known;
    const comparison: Comparison = { findings: [], children: [] };
    // Registered before its children are compared: a schema that contains itself links back.
    if (key !== undefined) this.#compared.set(key, comparison);
    const b = view(this.#before, before);
    const a = view(this.#after, after);
    if (b !== undefined && a !== undefined) this.#fill(comparison, direction, b, a);
    return comparison;
  }

  #fill({ findings, children }: Comparison, direction: Direction, before: SchemaView, after: SchemaView): void {
    const beforeTypes = typeSet(before, this.#before.version);
    const afterTypes = typeSet(after, this.#after.version);
    if (beforeTypes !== undefined && afterTypes !== undefined && !sameSet(beforeTypes, afterTypes)) {
      findings.push({ kind: 'type', fields: [], pointer: ['type'], before: beforeTypes, after: afterTypes });
    }
    const beforeValues = allowedValues(before);
    const afterValues = allowedValues(after);
    if (!sameList(beforeValues, afterValues)) {
      const keyword = Array.isArray(after.enum) || Array.isArray(before.enum) ? 'enum' : 'const';
      findings.push({ kind: 'enum', fields: [], pointer: [keyword], before: beforeValues, after: afterValues });
    }

    for (const [name, schema] of before.properties) {
      const pointer = ['properties', name];
      if (!after.properties.has(name)) {
        // A request field the server stops reading breaks nobody; a response field gone does.
        if (direction === 'response') findings.push({ kind: 'field-removed', fields: [name], pointer });
        continue;
      }
      children.push({ comparison: this.#compare(direction, schema, after.properties.get(name)), field: name, pointer });
    }
    for (const name of after.properties.keys()) {
      if (before.properties.has(name)) continue;
      const pointer = ['properties', name];
      const required = after.required.has(name);
      if (direction === 'request' && required && !before.required.has(name)) findings.push({ kind: 'field-required', fields: [name], pointer, added: true });
      else findings.push({ kind: 'field-added', fields: [name], pointer, required });
    }
    if (direction === 'request') {
      for (const name of after.required) {
        const added = after.properties.has(name) && !before.properties.has(name);
        if (!before.required.has(name) && !added) findings.push({ kind: 'field-required', fields: [name], pointer: ['properties', name], added: false });
      }
    } else {
      for (const name of before.required) {
        // A field removed altogether is reported as removed, not as optional.
        if (!after.required.has(name) && after.properties.has(name)) findings.push({ kind: 'field-optional', fields: [name], pointer: ['properties', name] });
      }
    }

    if (before.items !== undefined && after.items !== undefined) {
      children.push({ comparison: this.#compare(direction, before.items, after.items), field: '[]', pointer: ['items'] });
    }
    if (isMap(before.additionalProperties) && isMap(after.additionalProperties)) {
      children.push({ comparison: this.#compare(direction, before.additionalProperties, after.additionalProperties), field: '*', pointer: ['additionalProperties'] });
    }
  }
}

function refOf(node: unknown): string | undefined {
  return isMap(node) && typeof node.$ref === 'string' ? node.$ref : undefined;
}

/** The schema with references followed and `allOf` parts merged; undefined for `true`, `false` or junk. */
function view(side: DocumentSide, node: unknown): SchemaView | undefined {
  const root = schemaNode(side, node);
  if (root === undefined) return undefined;
  const out: SchemaView = { type: undefined, nullable: undefined, enum: undefined, const: undefined, properties: new Map(), required: new Set(), items: undefined, additionalProperties: undefined };
  const merge = (schema: Record<string, unknown>, depth: number): void => {
    // The first part to say something wins; a contract that contradicts itself is not ours to judge.
    out.type ??= schema.type;
    out.nullable ??= schema.nullable;
    out.enum ??= schema.enum;
    if (out.const === undefined && Object.hasOwn(schema, 'const')) out.const = { value: schema.const };
    out.items ??= schema.items;
    out.additionalProperties ??= schema.additionalProperties;
    if (isMap(schema.properties)) for (const [name, property] of Object.entries(schema.properties)) if (!out.properties.has(name)) out.properties.set(name, property);
    if (Array.isArray(schema.required)) for (const name of schema.required) if (typeof name === 'string') out.required.add(name);
    if (Array.isArray(schema.allOf) && depth < MAX_ALL_OF_DEPTH) {
      for (const part of schema.allOf) {
        const resolved = schemaNode(side, part);
        if (resolved !== undefined) merge(resolved, depth + 1);
      }
    }
  };
  merge(root, 0);
  return out;
}

/** A schema object: references followed; a 3.1 reference with constraints beside it read as `allOf`. */
function schemaNode(side: DocumentSide, node: unknown): Record<string, unknown> | undefined {
  if (side.version === '3.1' && isMap(node) && typeof node.$ref === 'string') {
    const constraints = Object.keys(node).filter((key) => key !== '$ref' && !ANNOTATIONS.has(key));
    if (constraints.length > 0) {
      const own = Object.fromEntries(constraints.map((key) => [key, node[key]]));
      return { ...own, allOf: [{ $ref: node.$ref }, ...(Array.isArray(own.allOf) ? own.allOf : [])] };
    }
  }
  const resolved = resolve(side.document, node).node;
  return isMap(resolved) ? resolved : undefined;
}

/**
 * The JSON types a schema allows; undefined when `type` is unreadable. Without `type`, a schema
 * with `properties` is taken for an object and one with `items` for an array: adding the
 * `type` such a schema implies is not worth a report.
 */
function typeSet(schema: SchemaView, version: '3.0' | '3.1'): Set<string> | undefined {
  let types: Set<string>;
  if (schema.type === undefined) {
    if (schema.properties.size > 0 || schema.required.size > 0 || isMap(schema.additionalProperties)) types = new Set(['object']);
    else if (schema.items !== undefined) types = new Set(['array']);
    // 3.0 allows null only with `nullable: true`; 3.1 has no `nullable` and allows null unless typed.
    else types = new Set(version === '3.1' ? [...JSON_TYPES, 'null'] : JSON_TYPES);
  } else if (typeof schema.type === 'string') {
    types = new Set([schema.type]);
  } else if (Array.isArray(schema.type) && schema.type.length > 0 && schema.type.every((type) => typeof type === 'string')) {
    types = new Set(schema.type as string[]);
  } else {
    return undefined;
  }
  if (schema.nullable === true) types.add('null');
  return types;
}

function allowedValues(schema: SchemaView): string[] | undefined {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum.map((value) => JSON.stringify(value));
  return schema.const === undefined ? undefined : [JSON.stringify(schema.const.value)];
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((item) => b.has(item));
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return sameSet(new Set(a), new Set(b));
}
