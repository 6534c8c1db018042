import { describe, expect, it } from 'vitest';
import type { ApiAccessConfig, MatcherConfig, OperationGrant, TargetConfig } from '../policy/index.js';
import { AccessPolicy } from './access.js';

function matcher(fields: Partial<MatcherConfig> & { regex?: string }): MatcherConfig {
  return {
    path: fields.path ?? null,
    pathPrefix: fields.pathPrefix ?? null,
    pathRegex: fields.regex === undefined ? fields.pathRegex ?? null : { source: fields.regex, flags: '' },
    methods: fields.methods ?? [],
  };
}

function target(operationSets: Record<string, MatcherConfig[]> = {}): TargetConfig {
  return {
    version: null,
    title: null,
    release: null,
    backend: { service: { namespace: 'apps', name: 'app', port: 80 }, kind: 'dns', urls: ['http://app.apps.svc.cluster.local:80'] },
    headers: { request: { set: [], delete: [] }, response: { set: [], delete: [] } },
    cors: null,
    operationSets,
    openApi: null,
  };
}

function access(groups: Record<string, OperationGrant>, anyGroups: OperationGrant | null = null): ApiAccessConfig {
  return { groups, anyGroups };
}

const SETS = {
  'read-only': [matcher({ pathPrefix: '/employees', methods: ['GET'] })],
  'public-exact': [matcher({ path: '/api/public', methods: ['GET'] })],
  'write': [matcher({ pathPrefix: '/employees', methods: ['POST', 'PUT', 'DELETE'] })],
  'by-id': [matcher({ regex: '^/employees/[0-9]+$' })],
  'anything-under-admin': [matcher({ pathPrefix: '/admin' })],
  'two-matchers': [matcher({ path: '/a', methods: ['GET'] }), matcher({ path: '/b', methods: ['POST'] })],
};

describe('AccessPolicy: who', () => {
  it('grants nothing without an access (an API no APIAccess of this gateway grants)', () => {
    const policy = new AccessPolicy(undefined, target(SETS));
    expect(policy.allows(['crm'], 'GET', '/employees')).toBe(false);
    expect(policy.allows([], 'GET', '/')).toBe(false);
  });

  it('grants a listed group, and no other', () => {
    const policy = new AccessPolicy(access({ crm: '*' }), target(SETS));
    expect(policy.allows(['crm'], 'DELETE', '/anything')).toBe(true);
    expect(policy.allows(['other', 'crm'], 'GET', '/x')).toBe(true);
    expect(policy.allows(['other'], 'GET', '/x')).toBe(false);
    expect(policy.allows([], 'GET', '/x')).toBe(false);
    expect(policy.allows(['CRM'], 'GET', '/x')).toBe(false);
  });

  it('grants any authenticated consumer with anyGroups, even one with no group', () => {
    const policy = new AccessPolicy(access({}, '*'), target(SETS));
    expect(policy.allows([], 'GET', '/x')).toBe(true);
    expect(policy.allows(['whatever'], 'POST', '/y')).toBe(true);
  });

  it('gives a consumer in several groups the union of their grants', () => {
    const policy = new AccessPolicy(access({ readers: ['read-only'], writers: ['write'] }), target(SETS));
    expect(policy.allows(['readers'], 'POST', '/employees')).toBe(false);
    expect(policy.allows(['writers'], 'GET', '/employees')).toBe(false);
    expect(policy.allows(['readers', 'writers'], 'GET', '/employees')).toBe(true);
    expect(policy.allows(['readers', 'writers'], 'POST', '/employees')).toBe(true);
  });

  it('adds the anyGroups grant to a group\'s grant', () => {
    const policy = new AccessPolicy(access({ writers: ['write'] }, ['read-only']), target(SETS));
    expect(policy.allows(['writers'], 'GET', '/employees/1')).toBe(true);
    expect(policy.allows(['writers'], 'PUT', '/employees/1')).toBe(true);
    expect(policy.allows(['nobody'], 'PUT', '/employees/1')).toBe(false);
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('does not mistake the group %j for a grant', (group) => {
    const policy = new AccessPolicy(access({ crm: '*' }), target(SETS));
    expect(policy.allows([group], 'GET', '/employees')).toBe(false);
    const travelled = JSON.parse(JSON.stringify(access({ crm: '*' }))) as ApiAccessConfig;
    expect(new AccessPolicy(travelled, target(SETS)).allows([group], 'GET', '/employees')).toBe(false);
  });
});

describe('AccessPolicy: which operations', () => {
  it('grants nothing for a present but empty include', () => {
    const policy = new AccessPolicy(access({ crm: [] }, []), target(SETS));
    expect(policy.allows(['crm'], 'GET', '/employees')).toBe(false);
    expect(policy.allows([], 'GET', '/employees')).toBe(false);
  });

  it('grants nothing for an operation set this target does not define', () => {
    const policy = new AccessPolicy(access({ crm: ['no-such-set'] }), target(SETS));
    expect(policy.allows(['crm'], 'GET', '/employees')).toBe(false);
  });

  it('grants nothing for an operation set with no matchers', () => {
    const policy = new AccessPolicy(access({ crm: ['empty'] }), target({ empty: [] }));
    expect(policy.allows(['crm'], 'GET', '/employees')).toBe(false);
  });

  const table: readonly (readonly [string, string, string, boolean])[] = [
    // pathPrefix matches whole segments
    ['read-only', 'GET', '/employees', true],
    ['read-only', 'GET', '/employees/', true],
    ['read-only', 'GET', '/employees/42', true],
    ['read-only', 'GET', '/employees42', false],
    ['read-only', 'GET', '/employee', false],
    ['read-only', 'GET', '/other/employees', false],
    ['read-only', 'POST', '/employees', false],
    // HEAD is authorized as GET
    ['read-only', 'HEAD', '/employees/42', true],
    ['write', 'HEAD', '/employees/42', false],
    ['read-only', 'OPTIONS', '/employees/42', false],
    // methods are compared upper-case, as the compiler gives them and node:http reports them
    ['read-only', 'get', '/employees', false],
    // path is exact
    ['public-exact', 'GET', '/api/public', true],
    ['public-exact', 'HEAD', '/api/public', true],
    ['public-exact', 'GET', '/api/public/', false],
    ['public-exact', 'GET', '/api/public/x', false],
    ['public-exact', 'GET', '/api/publicx', false],
    ['public-exact', 'POST', '/api/public', false],
    // pathRegex, any method when none is listed
    ['by-id', 'GET', '/employees/42', true],
    ['by-id', 'DELETE', '/employees/42', true],
    ['by-id', 'GET', '/employees/42/x', false],
    ['by-id', 'GET', '/employees/abc', false],
    // no methods listed: every method
    ['anything-under-admin', 'PATCH', '/admin/users', true],
    ['anything-under-admin', 'PATCH', '/administrator', false],
    // several matchers in a set: any of them
    ['two-matchers', 'GET', '/a', true],
    ['two-matchers', 'POST', '/b', true],
    ['two-matchers', 'POST', '/a', false],
    ['two-matchers', 'GET', '/b', false],
  ];
  it.each(table)('set %s: %s %s → %s', (set, method, path, expected) => {
    const policy = new AccessPolicy(access({ crm: [set] }), target(SETS));
    expect(policy.allows(['crm'], method, path)).toBe(expected);
  });

  it('needs every field of one matcher to hold (path prefix AND regex AND method)', () => {
    const policy = new AccessPolicy(
      access({ crm: ['narrow'] }),
      target({ narrow: [matcher({ pathPrefix: '/employees', regex: '/[0-9]+$', methods: ['GET'] })] }),
    );
    expect(policy.allows(['crm'], 'GET', '/employees/7')).toBe(true);
    expect(policy.allows(['crm'], 'GET', '/customers/7')).toBe(false);
    expect(policy.allows(['crm'], 'GET', '/employees/x')).toBe(false);
    expect(policy.allows(['crm'], 'PUT', '/employees/7')).toBe(false);
  });

  it('puts configured paths in the canonical form of request paths', () => {
    const policy = new AccessPolicy(
      access({ crm: ['encoded'] }),
      target({ encoded: [matcher({ path: '/caf%c3%a9' }), matcher({ pathPrefix: '/%7Euser' })] }),
    );
    expect(policy.allows(['crm'], 'GET', '/caf%C3%A9')).toBe(true);
    expect(policy.allows(['crm'], 'GET', '/~user/files')).toBe(true);
  });

  it('never matches a configured path that has no canonical form', () => {
    const policy = new AccessPolicy(access({ crm: ['dots'] }), target({ dots: [matcher({ pathPrefix: '/a/../admin' })] }));
    expect(policy.allows(['crm'], 'GET', '/admin')).toBe(false);
    expect(policy.allows(['crm'], 'GET', '/a/admin')).toBe(false);
  });
});
