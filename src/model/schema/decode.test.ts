import { describe, expect, it } from 'vitest';
import {
  boolean,
  DecodeContext,
  describe as describeValue,
  integer,
  INVALID,
  isAbsent,
  isRecord,
  legacy,
  list,
  map,
  object,
  oneOf,
  optional,
  required,
  string,
  stringMap,
  type Decoder,
} from './decode.js';

/** Runs a decoder at `spec` and returns what it decoded and every problem, briefly. */
function run<T>(decoder: Decoder<T>, value: unknown): { value: T | typeof INVALID; problems: string[] } {
  const ctx = new DecodeContext();
  const decoded = decoder(value, ['spec'], ctx);
  return { value: decoded, problems: ctx.problems.map((p) => `${p.severity} ${p.target} ${p.path.join('.')}: ${p.message}`) };
}

describe('predicates', () => {
  it('isRecord: plain maps only', () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord({ a: 1 })).toBe(true);
    for (const value of [null, undefined, [], 'x', 1, true]) expect(isRecord(value), String(value)).toBe(false);
  });

  it('isAbsent: a missing key and `key:` with no value mean the same', () => {
    expect(isAbsent(undefined)).toBe(true);
    expect(isAbsent(null)).toBe(true);
    for (const value of ['', 0, false, [], {}]) expect(isAbsent(value), JSON.stringify(value)).toBe(false);
  });

  it('describe names what was found instead', () => {
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('null');
    expect(describeValue([1])).toBe('a list');
    expect(describeValue({})).toBe('a map');
    expect(describeValue('x')).toBe('string "x"');
    expect(describeValue('y'.repeat(50))).toBe(`string "${'y'.repeat(40)}..."`);
    expect(describeValue(3)).toBe('number 3');
    expect(describeValue(true)).toBe('boolean true');
  });
});

describe('scalars', () => {
  it('string: accepts strings, runs its checks in order, stops at the first failure', () => {
    const decoder = string(
      (v) => (v.startsWith('/') ? undefined : "must start with a '/'"),
      (v) => (v.length < 5 ? undefined : 'too long'),
    );
    expect(run(decoder, '/ok')).toEqual({ value: '/ok', problems: [] });
    expect(run(decoder, 'nope-too-long')).toEqual({ value: INVALID, problems: ["error value spec: must start with a '/'"] });
    expect(run(decoder, '/too-long')).toEqual({ value: INVALID, problems: ['error value spec: too long'] });
    expect(run(decoder, 80).problems).toEqual(['error value spec: must be a string, not number 80']);
    expect(run(string(), { a: 1 }).problems).toEqual(['error value spec: must be a string, not a map']);
  });

  it('integer: whole numbers within bounds, with a custom message below the minimum', () => {
    expect(run(integer({ min: 1, max: 65535 }), 80)).toEqual({ value: 80, problems: [] });
    expect(run(integer({ min: 1, max: 65535 }), 0).problems).toEqual(['error value spec: must be at least 1']);
    expect(run(integer({ min: 1, max: 65535 }), 70000).problems).toEqual(['error value spec: must be at most 65535']);
    expect(run(integer({ min: 0, minMessage: 'must be a positive number' }), -1).problems).toEqual(['error value spec: must be a positive number']);
    expect(run(integer(), 1.5).problems).toEqual(['error value spec: must be an integer, not number 1.5']);
    expect(run(integer(), '80').problems).toEqual(['error value spec: must be an integer, not string "80"']);
    expect(run(integer(), Number.NaN).value).toBe(INVALID);
    expect(run(integer(), Number.POSITIVE_INFINITY).value).toBe(INVALID);
  });

  it('boolean: true and false only (YAML 1.2: "yes" is a string)', () => {
    expect(run(boolean(), false)).toEqual({ value: false, problems: [] });
    expect(run(boolean(), 'yes').problems).toEqual(['error value spec: must be a boolean, not string "yes"']);
    expect(run(boolean(), 1).problems).toEqual(['error value spec: must be a boolean, not number 1']);
  });

  it('oneOf: a string from the set, naming the set when it is not', () => {
    const strategy = oneOf(['local', 'distributed'] as const);
    expect(run(strategy, 'local').value).toBe('local');
    expect(run(strategy, 'Local').problems).toEqual(['error value spec: must be one of "local", "distributed", not string "Local"']);
    expect(run(strategy, null).problems).toEqual(['error value spec: must be one of "local", "distributed", not null']);
  });
});

describe('list', () => {
  const names = list(string((v) => (v === '' ? 'must not be empty' : undefined)), { max: 3 });

  it('decodes every entry', () => {
    expect(run(names, ['a', 'b'])).toEqual({ value: ['a', 'b'], problems: [] });
    expect(run(names, [])).toEqual({ value: [], problems: [] });
  });

  it('one bad entry makes the whole list invalid, and every bad entry is reported at its index', () => {
    expect(run(names, ['a', '', 3])).toEqual({
      value: INVALID,
      problems: ['error value spec.1: must not be empty', 'error value spec.2: must be a string, not number 3'],
    });
  });

  it('enforces its bounds before looking at entries', () => {
    expect(run(names, ['a', 'b', 'c', ''])).toEqual({ value: INVALID, problems: ['error value spec: must have at most 3 items, not 4'] });
    expect(run(list(string(), { min: 1 }), []).problems).toEqual(['error value spec: must have at least 1 item']);
    expect(run(list(string(), { min: 2 }), ['a']).problems).toEqual(['error value spec: must have at least 2 items']);
    expect(run(list(string(), { min: 1, minMessage: 'must have at least 1 matcher' }), []).problems).toEqual(['error value spec: must have at least 1 matcher']);
  });

  it('refuses what is not a list', () => {
    expect(run(names, 'a').problems).toEqual(['error value spec: must be a list, not string "a"']);
    expect(run(names, { 0: 'a' }).problems).toEqual(['error value spec: must be a list, not a map']);
  });
});

describe('stringMap', () => {
  const labels = stringMap(
    (key) => (key.includes(' ') ? `bad key "${key}"` : undefined),
    (value) => (value.length > 3 ? `bad value "${value}"` : undefined),
  );

  it('decodes a map of good entries', () => {
    expect(run(labels, { a: 'x', f: 'ok' })).toEqual({ value: { a: 'x', f: 'ok' }, problems: [] });
    expect(run(labels, {})).toEqual({ value: {}, problems: [] });
  });

  it('reports every bad entry (keys at the key, values at the value) and fails closed', () => {
    // A label map with one typo must not shrink to the good labels: a selector would widen.
    expect(run(labels, { a: 'x', 'b c': 'y', d: 'long', e: 5, f: 'ok' })).toEqual({
      value: INVALID,
      problems: ['error key spec.b c: bad key "b c"', 'error value spec.d: bad value "long"', 'error value spec.e: must be a string, not number 5'],
    });
  });

  it('refuses what is not a map', () => {
    expect(run(labels, ['a']).problems).toEqual(['error value spec: must be a map, not a list']);
    expect(run(stringMap(), 'a=b').value).toBe(INVALID);
  });
});

describe('object', () => {
  const port = object({ name: optional(string()), number: optional(integer({ min: 1 })) });
  const service = object(
    {
      name: required(string()),
      port: required(port),
      protocol: legacy(string(), 'protocol is a legacy field'),
      weight: optional(integer({ min: 0 })),
    },
    {
      checks: [
        (decoded, path, ctx) => {
          if (decoded.name === 'forbidden') ctx.error([...path, 'name'], 'this name is reserved');
        },
      ],
    },
  );

  it('decodes known fields and leaves absent optional ones out', () => {
    expect(run(service, { name: 'app', port: { number: 80 } })).toEqual({ value: { name: 'app', port: { number: 80 } }, problems: [] });
  });

  it('a missing or null required field is reported and makes the object invalid', () => {
    expect(run(service, { port: { number: 80 } })).toEqual({ value: INVALID, problems: ['error value spec.name: is required'] });
    expect(run(service, { name: null, port: { number: 80 } }).problems).toEqual(['error value spec.name: is required']);
  });

  it('an invalid optional field is reported and makes the object invalid (fail closed)', () => {
    // Dropping only the bad field would be unsafe: an absent selector or filter often means "all".
    expect(run(service, { name: 'app', port: { number: 80 }, weight: -1 })).toEqual({
      value: INVALID,
      problems: ['error value spec.weight: must be at least 0'],
    });
  });

  it('an invalid required field makes the object invalid, with the problem at its own path', () => {
    expect(run(service, { name: 'app', port: { number: 0 } })).toEqual({ value: INVALID, problems: ['error value spec.port.number: must be at least 1'] });
  });

  it('unknown fields are errors at their key in a strict object, and do not invalidate it', () => {
    expect(run(service, { name: 'app', port: { number: 80 }, extra: true, other: null })).toEqual({
      value: { name: 'app', port: { number: 80 } },
      problems: ['error key spec.extra: unknown field "extra"', 'error key spec.other: unknown field "other"'],
    });
  });

  it('open objects ignore unknown fields', () => {
    const open = object({ name: optional(string()) }, { strict: false });
    expect(run(open, { name: 'x', anything: [1, 2] })).toEqual({ value: { name: 'x' }, problems: [] });
  });

  it('a legacy field is decoded and warned about at its key', () => {
    expect(run(service, { name: 'app', port: { name: 'http' }, protocol: 'http' })).toEqual({
      value: { name: 'app', port: { name: 'http' }, protocol: 'http' },
      problems: ['warning key spec.protocol: protocol is a legacy field'],
    });
  });

  it('checks run on a valid object, after its fields', () => {
    expect(run(service, { name: 'forbidden', port: { number: 80 } })).toEqual({
      value: { name: 'forbidden', port: { number: 80 } },
      problems: ['error value spec.name: this name is reserved'],
    });
  });

  it('checks do not run on an invalid object', () => {
    expect(run(service, { name: 'forbidden' }).problems).toEqual(['error value spec.port: is required']);
  });

  it('refuses what is not a map', () => {
    expect(run(service, 'app:80').problems).toEqual(['error value spec: must be a map, not string "app:80"']);
    expect(run(service, null).problems).toEqual(['error value spec: must be a map, not null']);
  });

  it('a field named like an Object.prototype member is unknown, not a crash', () => {
    const value = JSON.parse('{"name":"app","port":{"number":80},"constructor":1,"toString":2}') as unknown;
    expect(run(service, value).problems).toEqual(['error key spec.constructor: unknown field "constructor"', 'error key spec.toString: unknown field "toString"']);
  });
});

describe('map', () => {
  it('transforms what decoded, and skips the transform when decoding failed', () => {
    let calls = 0;
    const withDefault = map(object({ period: optional(string()) }), (value) => {
      calls++;
      return { period: value.period ?? '1s' };
    });
    expect(run(withDefault, {}).value).toEqual({ period: '1s' });
    expect(run(withDefault, { period: '5s' }).value).toEqual({ period: '5s' });
    expect(calls).toBe(2);
    expect(run(withDefault, 'x').value).toBe(INVALID);
    expect(calls).toBe(2);
  });

  it('the transform can report and invalidate', () => {
    const even = map(integer(), (value, path, ctx) => (value % 2 === 0 ? value : ctx.error(path, 'must be even')));
    expect(run(even, 3)).toEqual({ value: INVALID, problems: ['error value spec: must be even'] });
  });
});

describe('DecodeContext', () => {
  it('errors point at the value by default, warnings at the key', () => {
    const ctx = new DecodeContext();
    expect(ctx.error(['a'], 'bad')).toBe(INVALID);
    ctx.error(['b'], 'unknown', 'key');
    ctx.warn(['c'], 'old');
    expect(ctx.problems).toEqual([
      { path: ['a'], message: 'bad', severity: 'error', target: 'value' },
      { path: ['b'], message: 'unknown', severity: 'error', target: 'key' },
      { path: ['c'], message: 'old', severity: 'warning', target: 'key' },
    ]);
  });
});
