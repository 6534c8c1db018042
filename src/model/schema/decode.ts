import type { FieldPath } from '../source.js';

/** What a schema problem is about: the value of a field, or its key (unknown fields). */
export interface SchemaProblem {
  readonly path: FieldPath;
  readonly message: string;
  readonly severity: 'error' | 'warning';
  readonly target: 'value' | 'key';
}

/** Returned by a decoder whose value cannot be used; the problem has been recorded already. */
export const INVALID: unique symbol = Symbol('invalid');
export type Decoded<T> = T | typeof INVALID;

/** Collects problems while a document is decoded; decoders never throw for bad input. */
export class DecodeContext {
  readonly problems: SchemaProblem[] = [];

  error(path: FieldPath, message: string, target: 'value' | 'key' = 'value'): typeof INVALID {
    this.problems.push({ path, message, severity: 'error', target });
    return INVALID;
  }

  warn(path: FieldPath, message: string): void {
    this.problems.push({ path, message, severity: 'warning', target: 'key' });
  }
}

export type Decoder<T> = (value: unknown, path: FieldPath, ctx: DecodeContext) => Decoded<T>;

/** A check on a decoded value: returns a message when the value breaks it. */
export type Check<T> = (value: T) => string | undefined;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** YAML `key:` with no value and a missing key mean the same: not set. */
export function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

export function string(...checks: Check<string>[]): Decoder<string> {
  return (value, path, ctx) => {
    if (typeof value !== 'string') return ctx.error(path, `must be a string, not ${describe(value)}`);
    for (const check of checks) {
      const message = check(value);
      if (message !== undefined) return ctx.error(path, message);
    }
    return value;
  };
}

export function integer(options: { min?: number; max?: number; minMessage?: string } = {}): Decoder<number> {
  return (value, path, ctx) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) return ctx.error(path, `must be an integer, not ${describe(value)}`);
    if (options.min !== undefined && value < options.min) return ctx.error(path, options.minMessage ?? `must be at least ${options.min}`);
    if (options.max !== undefined && value > options.max) return ctx.error(path, `must be at most ${options.max}`);
    return value;
  };
}

export function boolean(): Decoder<boolean> {
  return (value, path, ctx) => (typeof value === 'boolean' ? value : ctx.error(path, `must be a boolean, not ${describe(value)}`));
}

/** A string from a fixed set. */
export function oneOf<T extends string>(values: readonly T[]): Decoder<T> {
  return (value, path, ctx) => {
    if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
    return ctx.error(path, `must be one of ${values.map((v) => `"${v}"`).join(', ')}, not ${describe(value)}`);
  };
}

/**
 * A list. An entry that fails to decode makes the whole list invalid (every bad entry is still
 * reported), so the indexes of a decoded list always match the document's.
 */
export function list<T>(item: Decoder<T>, options: { max?: number; min?: number; minMessage?: string } = {}): Decoder<T[]> {
  return (value, path, ctx) => {
    if (!Array.isArray(value)) return ctx.error(path, `must be a list, not ${describe(value)}`);
    if (options.max !== undefined && value.length > options.max) {
      return ctx.error(path, `must have at most ${options.max} items, not ${value.length}`);
    }
    if (options.min !== undefined && value.length < options.min) {
      return ctx.error(path, options.minMessage ?? `must have at least ${options.min} item${options.min === 1 ? '' : 's'}`);
    }
    const out: T[] = [];
    let valid = true;
    for (let i = 0; i < value.length; i++) {
      const decoded = item(value[i], [...path, i], ctx);
      if (decoded === INVALID) valid = false;
      else out.push(decoded);
    }
    return valid ? out : INVALID;
  };
}

/** A map of strings to strings (labels, headers, query parameters). */
export function stringMap(keyCheck?: Check<string>, valueCheck?: Check<string>): Decoder<Record<string, string>> {
  return (value, path, ctx) => {
    if (!isRecord(value)) return ctx.error(path, `must be a map, not ${describe(value)}`);
    const out: Record<string, string> = {};
    let valid = true;
    for (const [key, entry] of Object.entries(value)) {
      const keyMessage = keyCheck?.(key);
      if (keyMessage !== undefined) {
        valid = ctx.error([...path, key], keyMessage, 'key') !== INVALID;
        continue;
      }
      if (typeof entry !== 'string') {
        valid = ctx.error([...path, key], `must be a string, not ${describe(entry)}`) !== INVALID;
        continue;
      }
      const valueMessage = valueCheck?.(entry);
      if (valueMessage !== undefined) {
        valid = ctx.error([...path, key], valueMessage) !== INVALID;
        continue;
      }
      out[key] = entry;
    }
    return valid ? out : INVALID;
  };
}

export interface Field<T, R extends boolean = boolean> {
  readonly decode: Decoder<T>;
  readonly required: R;
  /** Accepted for compatibility, with this warning. */
  readonly legacy?: string;
}

export function required<T>(decode: Decoder<T>): Field<T, true> {
  return { decode, required: true };
}

export function optional<T>(decode: Decoder<T>): Field<T, false> {
  return { decode, required: false };
}

export function legacy<T>(decode: Decoder<T>, warning: string): Field<T, false> {
  return { decode, required: false, legacy: warning };
}

/** A rule across fields: gets what decoded and the raw map; it reports and does not invalidate. */
export type ObjectCheck = (decoded: Readonly<Record<string, unknown>>, path: FieldPath, ctx: DecodeContext, raw: Record<string, unknown>) => void;

type Fields = Record<string, Field<unknown>>;
type FieldType<F> = F extends Field<infer T> ? T : never;
type RequiredKeys<F extends Fields> = { [K in keyof F]: F[K] extends Field<unknown, true> ? K : never }[keyof F];
type DecodedFields<F extends Fields> = { -readonly [K in RequiredKeys<F>]: FieldType<F[K]> } & {
  -readonly [K in Exclude<keyof F, RequiredKeys<F>>]?: FieldType<F[K]>;
};

export interface ObjectOptions {
  /** Unknown fields are errors (hub kinds); open objects ignore them (core Kubernetes kinds). */
  readonly strict?: boolean;
  /** Rules across fields, run on what decoded; they report and do not invalidate. */
  readonly checks?: readonly ObjectCheck[];
}

/**
 * A map with known fields. A field that is invalid, or required and missing, makes the whole
 * object invalid (every problem is still reported). Dropping only the bad field would be
 * unsafe: an absent selector, filter or domain list often means "all", so a typo would widen
 * what a resource grants. Unknown fields and cross-field checks are reported without
 * invalidating.
 */
export function object<F extends Fields>(fields: F, options: ObjectOptions = {}): Decoder<DecodedFields<F>> {
  const strict = options.strict ?? true;
  const known = Object.keys(fields);
  return (value, path, ctx) => {
    if (!isRecord(value)) return ctx.error(path, `must be a map, not ${describe(value)}`);
    const out: Record<string, unknown> = {};
    let valid = true;
    for (const name of known) {
      const field = fields[name]!;
      const raw = value[name];
      const fieldPath = [...path, name];
      if (isAbsent(raw)) {
        if (field.required) valid = ctx.error(fieldPath, 'is required') !== INVALID;
        continue;
      }
      if (field.legacy !== undefined) ctx.warn(fieldPath, field.legacy);
      const decoded = field.decode(raw, fieldPath, ctx);
      if (decoded === INVALID) {
        valid = false;
      } else {
        out[name] = decoded;
      }
    }
    if (strict) {
      for (const name of Object.keys(value)) {
        if (!Object.hasOwn(fields, name)) ctx.error([...path, name], `unknown field "${name}"`, 'key');
      }
    }
    if (!valid) return INVALID;
    for (const check of options.checks ?? []) check(out, path, ctx, value);
    return out as DecodedFields<F>;
  };
}

/** Decodes with `decode`, then rewrites the result (defaults, derived fields). */
export function map<A, B>(decode: Decoder<A>, transform: (value: A, path: FieldPath, ctx: DecodeContext) => Decoded<B>): Decoder<B> {
  return (value, path, ctx) => {
    const decoded = decode(value, path, ctx);
    return decoded === INVALID ? INVALID : transform(decoded, path, ctx);
  };
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}
