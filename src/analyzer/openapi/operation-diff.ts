import { HTTP_METHODS, isMap } from './parse.js';
import { formatPointer, resolve } from './resolve.js';
import { JSON_TYPES, SchemaDiffer, type Direction, type DocumentSide, type Finding, type Segment } from './schema-diff.js';
import type { ContractChange } from './types.js';

export type Change = Omit<ContractChange, 'api'>;

/** Where a schema is used: what messages call it, and the pointer to it in the head document. */
interface Place {
  readonly direction: Direction;
  /** `the request body (application/json)`, `query parameter "limit"`. */
  readonly where: string;
  readonly operation: string;
  readonly pointer: readonly Segment[];
}

interface Operation {
  readonly method: string;
  /** The path as the document writes it. */
  readonly route: string;
  readonly item: Record<string, unknown>;
  readonly operation: Record<string, unknown>;
}

/**
 * The contract changes from one document to the other, operation by operation. Operations are
 * matched by method and path with template variables ignored (`/flights/{id}` is
 * `/flights/{flightId}`), parameters by place and name (path parameters by position), media
 * types without their parameters, status codes ignoring case (`2XX`).
 */
export function diffOperations(before: DocumentSide, after: DocumentSide, source: string): Change[] {
  const changes: Change[] = [];
  const seen = new Set<string>();
  const ctx: Context = {
    before,
    after,
    schemas: new SchemaDiffer(before, after),
    location: (pointer) => `${source}${pointer.length === 0 ? '' : `#${formatPointer(pointer)}`}`,
    push: (change) => {
      const key = `${change.kind}\u0000${change.location}\u0000${change.message}`;
      if (seen.has(key)) return;
      seen.add(key);
      changes.push(change);
    },
  };
  const beforeOperations = operations(before.document);
  const afterOperations = operations(after.document);
  for (const [key, { method, route }] of beforeOperations) {
    if (afterOperations.has(key)) continue;
    const operation = `${method.toUpperCase()} ${route}`;
    ctx.push({ kind: 'operation-removed', breaking: true, operation, location: ctx.location(['paths', route, method]), message: `operation ${operation} was removed` });
  }
  for (const [key, current] of afterOperations) {
    const previous = beforeOperations.get(key);
    if (previous !== undefined) {
      compareOperation(ctx, previous, current);
      continue;
    }
    const operation = `${current.method.toUpperCase()} ${current.route}`;
    ctx.push({ kind: 'operation-added', breaking: false, operation, location: ctx.location(['paths', current.route, current.method]), message: `operation ${operation} was added` });
  }
  return changes;
}

interface Context {
  readonly before: DocumentSide;
  readonly after: DocumentSide;
  readonly schemas: SchemaDiffer;
  readonly location: (pointer: readonly Segment[]) => string;
  readonly push: (change: Change) => void;
}

function operations(document: Record<string, unknown>): Map<string, Operation> {
  const found = new Map<string, Operation>();
  if (!isMap(document.paths)) return found;
  for (const [route, raw] of Object.entries(document.paths)) {
    const item = resolve(document, raw).node;
    if (!isMap(item)) continue;
    const template = route.replace(/\{[^}/]*\}/g, '{}');
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method) || !isMap(operation)) continue;
      const key = `${method} ${template}`;
      if (!found.has(key)) found.set(key, { method, route, item, operation });
    }
  }
  return found;
}

function compareOperation(ctx: Context, before: Operation, after: Operation): void {
  const operation = `${after.method.toUpperCase()} ${after.route}`;
  const base: Segment[] = ['paths', after.route, after.method];
  compareParameters(ctx, operation, base, before, after);
  compareRequestBody(ctx, operation, base, before, after);
  compareResponses(ctx, operation, base, before, after);
}

function compareParameters(ctx: Context, operation: string, base: readonly Segment[], before: Operation, after: Operation): void {
  const previous = parameters(ctx.before.document, before);
  for (const [key, parameter] of parameters(ctx.after.document, after)) {
    const name = String(parameter.name);
    const where = `${String(parameter.in)} parameter "${name}"`;
    const pointer = [...base, 'parameters', `${String(parameter.in)}:${name}`];
    const old = previous.get(key);
    if (old === undefined) {
      if (parameter.required === true) ctx.push({ kind: 'parameter-required', breaking: true, operation, location: ctx.location(pointer), message: `new required ${where}` });
      else ctx.push({ kind: 'parameter-added', breaking: false, operation, location: ctx.location(pointer), message: `new optional ${where}` });
      continue;
    }
    if (old.required !== true && parameter.required === true) {
      ctx.push({ kind: 'parameter-required', breaking: true, operation, location: ctx.location([...pointer, 'required']), message: `${where} is now required` });
    }
    if (old.schema !== undefined && parameter.schema !== undefined) {
      compareSchemas(ctx, { direction: 'request', where, operation, pointer: [...pointer, 'schema'] }, old.schema, parameter.schema);
    }
    compareContent(ctx, { direction: 'request', operation, pointer }, old.content, parameter.content, () => where);
  }
}

/**
 * An operation's parameters with the path item's, the operation's winning for the same place
 * and name, keyed so that a renamed path variable is still the same parameter.
 */
function parameters(document: Record<string, unknown>, { route, item, operation }: Operation): Map<string, Record<string, unknown>> {
  const variables = [...route.matchAll(/\{([^}/]*)\}/g)].map((match) => match[1]);
  const found = new Map<string, Record<string, unknown>>();
  for (const list of [item.parameters, operation.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const parameter = resolve(document, raw).node;
      // A parameter behind a reference to another file cannot be named here.
      if (!isMap(parameter) || typeof parameter.name !== 'string' || typeof parameter.in !== 'string') continue;
      const position = parameter.in === 'path' ? variables.indexOf(parameter.name) : -1;
      // Header names are case-insensitive (RFC 9110, section 5.1).
      const name = parameter.in === 'header' ? parameter.name.toLowerCase() : parameter.name;
      found.set(position === -1 ? `${parameter.in}:${name}` : `path:#${position}`, parameter);
    }
  }
  return found;
}

function compareRequestBody(ctx: Context, operation: string, base: readonly Segment[], before: Operation, after: Operation): void {
  const old = resolve(ctx.before.document, before.operation.requestBody).node;
  const body = resolve(ctx.after.document, after.operation.requestBody).node;
  if (!isMap(body)) return;
  const pointer = [...base, 'requestBody'];
  if (body.required === true && !(isMap(old) && old.required === true)) {
    const message = isMap(old) ? 'the request body is now required' : 'a required request body was added';
    ctx.push({ kind: 'request-body-required', breaking: true, operation, location: ctx.location([...pointer, 'required']), message });
  }
  if (!isMap(old)) return;
  compareContent(ctx, { direction: 'request', operation, pointer }, old.content, body.content, (mediaType) => `the request body (${mediaType})`);
}

function compareResponses(ctx: Context, operation: string, base: readonly Segment[], before: Operation, after: Operation): void {
  const { responses: oldResponses } = before.operation;
  const { responses } = after.operation;
  if (!isMap(oldResponses) || !isMap(responses)) return;
  const previous = new Map(Object.entries(oldResponses).map(([status, response]) => [status.toUpperCase(), response]));
  for (const [status, raw] of Object.entries(responses)) {
    const old = resolve(ctx.before.document, previous.get(status.toUpperCase())).node;
    const response = resolve(ctx.after.document, raw).node;
    if (!isMap(old) || !isMap(response)) continue;
    const place = { direction: 'response', operation, pointer: [...base, 'responses', status] } as const;
    compareContent(ctx, place, old.content, response.content, (mediaType) => `the ${status} response (${mediaType})`);
  }
}

/** The schemas of the media types both sides have, `application/json; charset=utf-8` being `application/json`. */
function compareContent(ctx: Context, place: Omit<Place, 'where'>, before: unknown, after: unknown, where: (mediaType: string) => string): void {
  if (!isMap(before) || !isMap(after)) return;
  const previous = new Map(Object.entries(before).map(([mediaType, media]) => [essence(mediaType), media]));
  for (const [mediaType, media] of Object.entries(after)) {
    const old = previous.get(essence(mediaType));
    if (!isMap(old) || !isMap(media) || old.schema === undefined || media.schema === undefined) continue;
    compareSchemas(ctx, { ...place, where: where(mediaType), pointer: [...place.pointer, 'content', mediaType, 'schema'] }, old.schema, media.schema);
  }
}

function essence(mediaType: string): string {
  return (mediaType.split(';')[0] ?? '').trim().toLowerCase();
}

function compareSchemas(ctx: Context, place: Place, before: unknown, after: unknown): void {
  for (const finding of ctx.schemas.diff(place.direction, before, after)) {
    const location = ctx.location([...place.pointer, ...finding.pointer]);
    for (const change of describe(place, finding)) ctx.push({ ...change, operation: place.operation, location });
  }
}

type Described = Pick<Change, 'kind' | 'breaking' | 'message'>;

/** A finding in words, breaking or not as the direction says. */
function describe(place: Place, finding: Finding): Described[] {
  const { direction, where } = place;
  const field = `field "${fieldName(finding.fields)}"`;
  const subject = finding.fields.length === 0 ? where : `${field} of ${where}`;
  switch (finding.kind) {
    case 'field-removed':
      return [{ kind: 'response-field-removed', breaking: true, message: `${field} was removed from ${where}` }];
    case 'field-added':
      if (direction === 'response') return [{ kind: 'response-field-added', breaking: false, message: `new ${field} in ${where}` }];
      return [{ kind: 'request-field-added', breaking: false, message: `new ${finding.required ? '' : 'optional '}${field} in ${where}` }];
    case 'field-required':
      return [{ kind: 'request-field-required', breaking: true, message: finding.added ? `new required ${field} in ${where}` : `${subject} is now required` }];
    case 'field-optional':
      return [{ kind: 'response-field-optional', breaking: true, message: `${subject} is no longer required` }];
    case 'type': {
      const narrowed = [...finding.before].some((type) => !covers(finding.after, type));
      const widened = [...finding.after].some((type) => !covers(finding.before, type));
      if (!narrowed && !widened) return [];
      const [kind, verb] = narrowed && widened ? (['type-changed', 'changed'] as const) : narrowed ? (['type-narrowed', 'narrowed'] as const) : (['type-widened', 'widened'] as const);
      // What a client sends must still be accepted; what it receives must still be understood.
      const breaking = direction === 'request' ? narrowed : widened;
      return [{ kind, breaking, message: `type of ${subject} ${verb} from ${formatTypes(finding.before)} to ${formatTypes(finding.after)}` }];
    }
    case 'enum': {
      const { before, after } = finding;
      const narrowed = (message: string): Described => ({ kind: 'enum-narrowed', breaking: direction === 'request', message });
      const widened = (message: string): Described => ({ kind: 'enum-widened', breaking: direction === 'response', message });
      if (before === undefined) return after === undefined ? [] : [narrowed(`${subject} is now restricted to ${formatValues(after)}`)];
      if (after === undefined) return [widened(`${subject} is no longer restricted to a list of values`)];
      const removed = before.filter((value) => !after.includes(value));
      const added = after.filter((value) => !before.includes(value));
      const out: Described[] = [];
      if (removed.length > 0) out.push(narrowed(`${subject} no longer allows ${formatValues(removed)}`));
      if (added.length > 0) out.push(widened(`${subject} now also allows ${formatValues(added)}`));
      return out;
    }
  }
}

function covers(types: ReadonlySet<string>, type: string): boolean {
  return types.has(type) || (type === 'integer' && types.has('number'));
}

function formatTypes(types: ReadonlySet<string>): string {
  if (JSON_TYPES.every((type) => types.has(type))) return types.has('null') ? 'any type' : 'any type but null';
  return [...types].sort().join(' or ');
}

const MAX_VALUES_LISTED = 10;

function formatValues(values: readonly string[]): string {
  const listed = values.slice(0, MAX_VALUES_LISTED).join(', ');
  return values.length > MAX_VALUES_LISTED ? `${listed} and ${values.length - MAX_VALUES_LISTED} more` : listed;
}

function fieldName(fields: readonly string[]): string {
  let out = '';
  for (const field of fields) out += field === '[]' ? '[]' : out === '' ? field : `.${field}`;
  return out;
}
