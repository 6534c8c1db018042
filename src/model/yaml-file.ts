import { isAlias, isMap, isScalar, isSeq, LineCounter, visit, type Alias, type Document, type Node } from 'yaml';
import { composeDocuments } from './compose.js';
import type { LoadLimits } from './limits.js';
import { SourceFile } from './source.js';

/** A problem with a file as a whole or with its YAML syntax: no resource can be read from it. */
export interface FileProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** One YAML document of a file, converted to plain values (maps, lists, scalars). */
export interface ParsedDocument {
  readonly file: SourceFile;
  readonly doc: Document.Parsed;
  /** The document's index in its file (for SourceFile.document). */
  readonly index: number;
  readonly value: unknown;
}

export interface ParsedFile {
  readonly file: SourceFile | undefined;
  readonly documents: readonly ParsedDocument[];
  readonly problems: readonly FileProblem[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Checks the bytes of a file, then parses every document in it, never throwing for bad input. */
export function parseYamlFile(path: string, content: Uint8Array | string, limits: LoadLimits, order = 0): ParsedFile {
  const text = typeof content === 'string' ? content : decode(path, content, limits);
  if (typeof text !== 'string') return { file: undefined, documents: [], problems: [text] };
  if (typeof content === 'string' && text.includes('\0')) return { file: undefined, documents: [], problems: [fileProblem(path, 'is a binary file, not YAML')] };
  if (text.length > limits.maxFileBytes) return { file: undefined, documents: [], problems: [tooLarge(path, text.length, limits)] };

  const lines = new LineCounter();
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const file = new SourceFile(path, lines, order, source);
  const problems: FileProblem[] = [];
  const documents: ParsedDocument[] = [];
  const docs: Document.Parsed[] = [];
  try {
    // Documents are composed one at a time and reading stops past the limit: a file of a
    // million tiny documents (however they are separated) costs no more than the limit's worth.
    for (const doc of composeDocuments(source, lines)) {
      docs.push(doc as Document.Parsed);
      if (docs.length > limits.maxDocuments) {
        return { file: undefined, documents: [], problems: [fileProblem(path, `has more than ${limits.maxDocuments} documents, the limit per file`)] };
      }
    }
  } catch (error) {
    // The parser reports bad input as document errors; reaching here means it gave up (a stack
    // overflow on pathological input), which is still the file's fault, not a crash.
    return { file, documents, problems: [fileProblem(path, `cannot be parsed: ${(error as Error).message}`)] };
  }
  for (let index = 0; index < docs.length; index++) {
    const doc = docs[index]!;
    const before = problems.length;
    const exhausted = doc.errors.find((error) => error.code === 'RESOURCE_EXHAUSTION');
    if (exhausted !== undefined) {
      // The parser ran out of stack: it may say so many times, at a column that depends on the
      // stack size. Say it once, on the line where it happened.
      const { line } = file.position(exhausted.pos[0]);
      problems.push({ file: path, line, column: 1, message: `nesting is too deep to parse (the limit is ${limits.maxDepth} levels)`, severity: 'error' });
      continue;
    }
    for (const error of doc.errors) problems.push(at(file, error.pos[0], syntaxMessage(error.code, error.message), 'error'));
    for (const warning of doc.warnings) {
      // An unresolved tag (`!!js/function`, `!custom`) would otherwise load as a plain string.
      const severity = warning.code === 'TAG_RESOLVE_FAILED' ? 'error' : 'warning';
      problems.push(at(file, warning.pos[0], firstLine(warning.message), severity));
    }
    if (problems.slice(before).some((p) => p.severity === 'error')) continue;
    const converted = toPlain(doc, limits);
    if (!converted.ok) problems.push(at(file, converted.offset, converted.problem, 'error'));
    else documents.push({ file, doc, index, value: converted.value });
  }
  return { file, documents, problems };
}

function decode(path: string, bytes: Uint8Array, limits: LoadLimits): string | FileProblem {
  if (bytes.byteLength > limits.maxFileBytes) return tooLarge(path, bytes.byteLength, limits);
  if (bytes.indexOf(0) !== -1) return fileProblem(path, 'is a binary file, not YAML');
  try {
    return utf8.decode(bytes);
  } catch {
    const text = new TextDecoder('utf-8').decode(bytes);
    const offset = text.indexOf('\uFFFD');
    const line = text.slice(0, Math.max(0, offset)).split('\n').length;
    return { file: path, line, column: 1, message: `is not valid UTF-8 (first bad byte on line ${line})`, severity: 'error' };
  }
}

function tooLarge(path: string, size: number, limits: LoadLimits): FileProblem {
  return fileProblem(path, `is ${size} bytes, larger than the limit of ${limits.maxFileBytes} bytes`);
}

function fileProblem(path: string, message: string): FileProblem {
  return { file: path, line: 1, column: 1, message, severity: 'error' };
}

function at(file: SourceFile, offset: number, message: string, severity: 'error' | 'warning'): FileProblem {
  const { line, column } = file.position(offset);
  return { file: file.path, line, column, message, severity };
}

function firstLine(message: string): string {
  const newline = message.indexOf('\n');
  return newline === -1 ? message : message.slice(0, newline);
}

function syntaxMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key: map keys must be unique';
  return `YAML syntax error: ${firstLine(message)}`;
}

type Converted = { ok: true; value: unknown } | { ok: false; problem: string; offset: number };

/**
 * Converts a document to plain values, resolving aliases within a budget and refusing nesting
 * deeper than the limit. Written by hand rather than `doc.toJS()` so both caps come with the
 * position of the offending node.
 */
function toPlain(doc: Document.Parsed, limits: LoadLimits): Converted {
  let aliases = 0;
  /** Aliases being expanded (on the stack), and the values they produced. */
  let insideAlias = 0;
  let expanded = 0;
  let failure: Converted | undefined;
  // Aliases and anchored nodes in document order, collected once on the first alias: resolving
  // each alias by walking the whole document would cost a walk per alias.
  let ordered: Node[] | undefined;
  const resolve = (alias: Alias): Node | undefined => {
    if (ordered === undefined) {
      const nodes: Node[] = [];
      visit(doc, { Node: (_key, node) => void ((isAlias(node) || (node as { anchor?: string }).anchor !== undefined) && nodes.push(node as Node)) });
      ordered = nodes;
    }
    let found: Node | undefined;
    for (const node of ordered) {
      if (node === alias) break;
      if (!isAlias(node) && node.anchor === alias.source) found = node;
    }
    return found;
  };
  const fail = (problem: string, node: Node): undefined => {
    failure ??= { ok: false, problem, offset: node.range?.[0] ?? 0 };
    return undefined;
  };
  const convert = (node: Node | null, depth: number): unknown => {
    if (failure !== undefined || node === null) return null;
    if (isAlias(node)) {
      if (++aliases > limits.maxAliases) return fail(`more than ${limits.maxAliases} aliases in one document`, node);
      const target = resolve(node);
      if (target === undefined) return fail(`alias *${node.source} has no anchor`, node);
      insideAlias++;
      const value = convert(target, depth);
      insideAlias--;
      // A wide anchor aliased a few times is a bomb too: count what aliases expand to.
      if (failure === undefined && expanded > limits.maxAliasExpansion) return fail(`aliases expand to more than ${limits.maxAliasExpansion} values`, node);
      return value;
    }
    if (insideAlias > 0) expanded++;
    if (isScalar(node)) return node.value;
    if (depth >= limits.maxDepth) return fail(`nesting deeper than ${limits.maxDepth} levels`, node);
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        if (!isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number' && typeof key.value !== 'boolean')) {
          return fail('map keys must be plain strings', key ?? node);
        }
        const name = String(key.value);
        // __proto__ as a key would change the object's prototype, not add a field.
        if (name === '__proto__') return fail('"__proto__" is not allowed as a key', key);
        // `1:` and `"1":` are the same key once converted: both are duplicates.
        if (Object.hasOwn(out, name)) return fail('duplicate key: map keys must be unique', key);
        out[name] = convert(pair.value as Node | null, depth + 1);
      }
      return out;
    }
    if (isSeq(node)) {
      const out: unknown[] = [];
      for (const item of node.items) out.push(convert(item as Node | null, depth + 1));
      return out;
    }
    return fail('unsupported YAML node', node);
  };
  const value = convert(doc.contents, 0);
  return failure ?? { ok: true, value };
}
