import { describe, expect, it } from 'vitest';
import { checkDnsLabel, checkLabelKey, checkLabelValue, isDnsLabel, isDnsSubdomain, isDomainName } from './names.js';

const RFC1123 =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";

describe('RFC 1123 labels (resource names, namespaces)', () => {
  const valid = ['a', '0', 'employee-api', 'v2-1-0', 'a1', '1a', 'a--b', 'x'.repeat(63)];
  const invalid = ['', '-a', 'a-', 'A', 'Employee', 'a_b', 'a.b', 'a b', 'é', 'x'.repeat(64), 'a\n'];
  for (const name of valid) {
    it(`accepts ${JSON.stringify(name.length > 20 ? `${name.length} x` : name)}`, () => {
      expect(isDnsLabel(name)).toBe(true);
      expect(checkDnsLabel(name)).toBeUndefined();
    });
  }
  for (const name of invalid) {
    it(`rejects ${JSON.stringify(name.length > 20 ? `${name.length} x` : name)}`, () => {
      expect(isDnsLabel(name)).toBe(false);
      expect(checkDnsLabel(name)).toBeDefined();
    });
  }

  it('says what is wrong: too long, or which name breaks the syntax', () => {
    expect(checkDnsLabel('x'.repeat(64))).toBe('must be no more than 63 characters, not 64');
    expect(checkDnsLabel('Employee_API')).toBe(`"Employee_API" is not a valid name: ${RFC1123}`);
  });
});

describe('isDnsSubdomain', () => {
  it('accepts dotted labels up to 253 characters', () => {
    expect(isDnsSubdomain('example.com')).toBe(true);
    expect(isDnsSubdomain('app.kubernetes.io')).toBe(true);
    expect(isDnsSubdomain('a')).toBe(true);
    expect(isDnsSubdomain(Array(4).fill('x'.repeat(62)).join('.'))).toBe(true); // 251 characters
  });

  it('rejects empty labels, upper case, and names over 253 characters', () => {
    for (const bad of ['', '.', 'a.', '.a', 'a..b', 'Example.com', 'a_b.com', '-a.com', 'a-.com', `${'x'.repeat(63)}.${'y'.repeat(63)}.${'z'.repeat(63)}.${'w'.repeat(63)}`]) {
      expect(isDnsSubdomain(bad), bad).toBe(false);
    }
  });
});

describe('label keys', () => {
  const valid = ['area', 'Area', 'a', 'app.kubernetes.io/name', 'kubernetes.io/service-name', 'example.com/Tier_1', 'a-b_c.d', 'x'.repeat(63), `${'p'.repeat(10)}.io/${'x'.repeat(63)}`];
  for (const key of valid) {
    it(`accepts ${key.length > 30 ? `${key.length} characters` : key}`, () => {
      expect(checkLabelKey(key)).toBeUndefined();
    });
  }

  it('rejects a name that is empty, too long, or badly formed', () => {
    const name = (key: string) =>
      `label key "${key}" is invalid: its name must be 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character`;
    for (const key of ['', 'x'.repeat(64), '-area', 'area-', '.area', 'ar ea', 'a:b', 'example.com/', 'a/b/c']) {
      expect(checkLabelKey(key), key).toBe(name(key));
    }
  });

  it('rejects a prefix that is not a lowercase DNS subdomain', () => {
    const prefix = (key: string) => `label key "${key}" has an invalid prefix: it must be a lowercase DNS subdomain`;
    for (const key of ['/area', 'Example.com/area', 'exa_mple.com/area', '-x.io/area', `${'x'.repeat(254)}/area`]) {
      expect(checkLabelKey(key), key).toBe(prefix(key));
    }
  });
});

describe('label values', () => {
  const problem = (value: string) =>
    `label value "${value}" is invalid: it must be empty or 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character`;

  it('accepts the empty value and up to 63 characters', () => {
    for (const value of ['', 'crm', 'CRM', 'v1.2.3', 'a-b_c.d', '0', 'x'.repeat(63)]) expect(checkLabelValue(value), value).toBeUndefined();
  });

  it('rejects the rest with the same message', () => {
    for (const value of ['x'.repeat(64), '-crm', 'crm-', '_a', 'a b', 'a/b', 'é', ' ']) expect(checkLabelValue(value), value).toBe(problem(value));
  });
});

describe('isDomainName (customDomains)', () => {
  it('accepts host names, case-insensitively', () => {
    for (const host of ['api.example.com', 'API.Example.COM', 'localhost', 'a.b.c.d', 'xn--bcher-kva.example', `${'x'.repeat(63)}.com`]) {
      expect(isDomainName(host), host).toBe(true);
    }
  });

  it('rejects what is not a host name', () => {
    for (const host of ['', '.', 'a..b', '.example.com', 'example.com.', '-api.example.com', 'api-.example.com', 'api_1.example.com', 'api.example.com:443', 'https://api.example.com', 'api example.com', `${'x'.repeat(64)}.com`, `${'a.'.repeat(127)}ab`]) {
      expect(isDomainName(host), host).toBe(false);
    }
  });
});
