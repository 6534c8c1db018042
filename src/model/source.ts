import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { composeDocuments } from './compose.js';

/** A path to a field inside a resource document: map keys and list indexes. */
export type FieldPath = readonly (string | number)[];

/** A 1-based place in a source file. */
export interface Position {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** `spec.apis[1].name`: the dotted form used in messages and reports. */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** One file that was read: its path relative to the root that was loaded, and its line table. */
export class SourceFile {
  readonly path: string;
  /** The file's place in the load order, so findings can say which definition came first. */
  readonly order: number;
  readonly #lines: LineCounter;
  readonly #text: string;
  #documents: Document.Parsed[] | undefined;

  constructor(path: string, lines: LineCounter, order = 0, text = '') {
    this.path = path;
    this.order = order;
    this.#lines = lines;
    this.#text = text;
  }

  /**
   * A document of the file, parsed again on first use. Keeping every parsed tree until a
   * diagnostic needs one costs more (in garbage collection) than parsing again the few files
   * diagnostics point into.
   */
  document(index: number): Document.Parsed | undefined {
    this.#documents ??= [...composeDocuments(this.#text)];
    return this.#documents[index];
  }

  /** Offsets are converted to lines and columns only when a diagnostic needs one. */
  position(offset: number): Position {
    const { line, col } = this.#lines.linePos(offset);
    return { file: this.path, line, column: col };
  }
}

/** Where `metadata.name` is: what whole-resource diagnostics and resource listings point at. */
export const NAME_PATH: FieldPath = ['metadata', 'name'];

/**
 * Where a resource was written. The file is parsed again only when a diagnostic points into it;
 * the position of `metadata.name`, which listings and whole-resource diagnostics ask for about
 * every resource, is taken while the document is first parsed.
 */
export class ResourceSource {
  readonly file: SourceFile;
  readonly #index: number;
  readonly #nameOffset: number | undefined;

  constructor(file: SourceFile, index: number, nameOffset?: number) {
    this.file = file;
    this.#index = index;
    this.#nameOffset = nameOffset;
  }

  /**
   * The position of the value at `path` (or of its key with `target: 'key'`). A path that does
   * not exist in the document points at the key of its deepest existing ancestor.
   */
  locate(path: FieldPath, target: 'value' | 'key' = 'value'): Position {
    if (this.#nameOffset !== undefined && target === 'value' && path.length === 2 && path[0] === 'metadata' && path[1] === 'name') {
      return this.file.position(this.#nameOffset);
    }
    return this.file.position(offsetIn(this.file.document(this.#index)!, path, target));
  }
}

/** The offset of the value at `path` in a parsed document (see ResourceSource.locate). */
export function offsetIn(doc: Document.Parsed, path: FieldPath, target: 'value' | 'key' = 'value'): number {
  const resolve = (node: Node | null): Node | null => (isAlias(node) ? ((node.resolve(doc) as Node | undefined) ?? null) : node);
  let node: Node | null = doc.contents;
  let keyOffset = node?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    node = resolve(node);
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node) && typeof segment === 'string') {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === segment);
      if (pair === undefined) return keyOffset;
      const key = pair.key as Node;
      keyOffset = key.range?.[0] ?? keyOffset;
      if (last && target === 'key') return keyOffset;
      const value = pair.value as Node | null;
      if (value === null || value.range === undefined || value.range === null) return keyOffset;
      if (isScalar(value) && value.value === null && value.range[0] === value.range[1]) return keyOffset;
      node = value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (item?.range === undefined || item.range === null) return keyOffset;
      keyOffset = item.range[0];
      node = item;
    } else {
      return keyOffset;
    }
  }
  return node?.range?.[0] ?? keyOffset;
}
