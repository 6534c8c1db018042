import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../src/identity/index.js';
import {
  cleanup,
  createConsumers,
  echoOf,
  errorBody,
  send,
  startEchoUpstream,
  startGateway,
  tempDir,
  writeResources,
  yaml,
  type Address,
  type Answer,
  type ConsumerKey,
  type Upstream,
} from '../helpers/gateway-fixtures.js';

// Issue 3, acceptance: 401/403/429 each with its JSON body, operation filters per method, rate
// limit precedence (group over anyGroups, most restrictive per group, most favourable across
// groups), CORS preflight. Keys are made through the real CLI.

let up: Upstream;
let gw: Address;
let who: Record<'reader' | 'writer' | 'gold' | 'goldSilver', ConsumerKey>;

const READ_ONLY = { name: 'read-only', matchers: [{ pathPrefix: '/ops', methods: ['GET'] }] };
const WRITE = { name: 'write', matchers: [{ pathPrefix: '/ops/items', methods: ['POST'] }] };
const CORS = {
  allowOriginList: ['https://app.example'],
  allowOriginListRegex: ['^https://[a-z]+\\.trusted\\.example$'],
  allowMethods: ['GET', 'POST'],
  allowHeaders: ['Authorization', 'Content-Type'],
  exposeHeaders: ['X-Upstream'],
  allowCredentials: true,
  maxAge: 600,
};

beforeAll(async () => {
  up = await startEchoUpstream('policy');
  const dir = await tempDir('policy-res');
  const dataDir = await tempDir('policy-data');
  await writeResources(dir, [
    ...yaml.backend('app', [up.port]),
    yaml.api({ name: 'open', pathPrefix: '/open', service: 'app' }),
    yaml.api({ name: 'ops', pathPrefix: '/ops', service: 'app', operationSets: [READ_ONLY, WRITE] }),
    yaml.api({ name: 'secret', pathPrefix: '/secret', service: 'app' }),
    yaml.api({ name: 'limited', pathPrefix: '/limited', service: 'app' }),
    yaml.api({ name: 'prec-group', pathPrefix: '/prec-group', service: 'app' }),
    yaml.api({ name: 'prec-restrictive', pathPrefix: '/prec-restrictive', service: 'app' }),
    yaml.api({ name: 'prec-favourable', pathPrefix: '/prec-favourable', service: 'app' }),
    yaml.api({ name: 'web', pathPrefix: '/web', service: 'app', cors: CORS }),
    yaml.access({ name: 'everyone', apis: ['open', 'limited', 'prec-group', 'prec-restrictive', 'prec-favourable', 'web'] }),
    yaml.access({ name: 'readers', groups: ['reader'], apis: ['ops'], include: ['read-only'] }),
    yaml.access({ name: 'writers', groups: ['writer'], apis: ['ops'], include: ['read-only', 'write'] }),
    yaml.access({ name: 'no-operations', groups: ['noops'], apis: ['ops'], include: [] }),
    yaml.access({ name: 'secret-keepers', groups: ['writer'], apis: ['secret'] }),
    // /ops again under /tools: operation filters match the path the backend receives (/ops/...).
    yaml.collection({ name: 'tools', pathPrefix: '/tools', apis: ['ops'] }),
    yaml.access({ name: 'tool-readers', groups: ['reader'], collections: ['tools'], include: ['read-only'] }),
    yaml.gateway('main', ['everyone', 'readers', 'writers', 'no-operations', 'secret-keepers', 'tool-readers']),
    // 3 a minute for anyone on /limited: a burst sees 3 answers, then 429.
    yaml.rateLimit({ name: 'limited-any', limit: 3, period: '1m', apis: ['limited'] }),
    // 1. A limit naming a group beats the anyGroups limit, even a more generous one.
    yaml.rateLimit({ name: 'group-any', limit: 10, period: '1m', apis: ['prec-group'] }),
    yaml.rateLimit({ name: 'group-gold', limit: 2, period: '1m', groups: ['gold'], apis: ['prec-group'] }),
    // 2. Two limits for one group: the lowest rate wins (4/1m, not 2/10s which is 12/1m).
    yaml.rateLimit({ name: 'restrictive-a', limit: 4, period: '1m', groups: ['gold'], apis: ['prec-restrictive'] }),
    yaml.rateLimit({ name: 'restrictive-b', limit: 2, period: '10s', groups: ['gold'], apis: ['prec-restrictive'] }),
    // 3. Across a consumer's groups the most favourable wins; anyGroups is not consulted.
    yaml.rateLimit({ name: 'favourable-gold', limit: 2, period: '1m', groups: ['gold'], apis: ['prec-favourable'] }),
    yaml.rateLimit({ name: 'favourable-silver', limit: 5, period: '1m', groups: ['silver'], apis: ['prec-favourable'] }),
    yaml.rateLimit({ name: 'favourable-any', limit: 1, period: '1m', apis: ['prec-favourable'] }),
  ]);
  who = await createConsumers(dataDir, {
    // No rate limit names the reader's group: it gets the anyGroups limits.
    reader: ['reader'],
    writer: ['writer'],
    // noops: an APIAccess with an empty operation filter (no operation at all) on /ops.
    gold: ['gold', 'noops'],
    goldSilver: ['gold', 'silver'],
  });
  ({ gateway: gw } = await startGateway({ dir, dataDir }));
});

afterAll(cleanup);

function expectError(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, body: answer.json }).toEqual({ status, body: errorBody(code) });
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
}

describe('401: no valid key', () => {
  it('a missing key is 401 ERR_GW_KEY_MISSING with WWW-Authenticate: Bearer', async () => {
    const hits = up.hits();
    const answer = await send(gw, { path: '/open/x' });
    expectError(answer, 401, 'ERR_GW_KEY_MISSING');
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer\b/);
    expect(up.hits()).toBe(hits);
  });

  it.each<[string, Record<string, string>]>([
    ['an empty bearer token', { authorization: 'Bearer ' }],
    ['another scheme', { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` }],
    ['the key without a scheme', { authorization: 'gg_00000000000000000000000000000000' }],
    ['the key in another header', { 'x-api-key': 'gg_00000000000000000000000000000000' }],
  ])('%s counts as a missing key: 401 ERR_GW_KEY_MISSING', async (_name, headers) => {
    const answer = await send(gw, { path: '/open/x', headers });
    expectError(answer, 401, 'ERR_GW_KEY_MISSING');
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer\b/);
  });

  it.each<[string, () => string]>([
    ['a malformed key', () => 'not-a-key'],
    ['a key with a bad checksum', () => `${who.reader.key.slice(0, -1)}${who.reader.key.endsWith('A') ? 'B' : 'A'}`],
    ['a truncated key', () => who.reader.key.slice(0, -4)],
    ['a well-formed key this store never issued', () => generateKey()],
    ['a key with one character changed', () => `gg_${who.reader.key[3] === 'x' ? 'y' : 'x'}${who.reader.key.slice(4)}`],
  ])('%s is 401 ERR_GW_KEY_INVALID, and the key is not echoed', async (_name, make) => {
    const key = make();
    const hits = up.hits();
    const answer = await send(gw, { path: '/open/x', key });
    expectError(answer, 401, 'ERR_GW_KEY_INVALID');
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer\b/);
    expect(answer.text).not.toContain(key);
    expect(up.hits()).toBe(hits);
  });

  it('the scheme is case-insensitive', async () => {
    const answer = await send(gw, { path: '/open/x', headers: { authorization: `bearer ${who.reader.key}` } });
    expect(echoOf(answer).path).toBe('/open/x');
  });
});

describe('403: access and operation filters', () => {
  it('a group no APIAccess names is refused: 403 ERR_GW_FORBIDDEN', async () => {
    const hits = up.hits();
    expectError(await send(gw, { path: '/secret/x', key: who.reader.key }), 403, 'ERR_GW_FORBIDDEN');
    expect(up.hits()).toBe(hits);
    expect(echoOf(await send(gw, { path: '/secret/x', key: who.writer.key })).path).toBe('/secret/x');
  });

  it.each<[keyof typeof who, string, string, number]>([
    ['reader', 'GET', '/ops/items', 200],
    ['reader', 'HEAD', '/ops/items', 200],
    ['reader', 'POST', '/ops/items', 403],
    ['reader', 'DELETE', '/ops/items/1', 403],
    ['reader', 'PUT', '/ops/items/1', 403],
    ['writer', 'GET', '/ops/items', 200],
    ['writer', 'POST', '/ops/items', 200],
    ['writer', 'POST', '/ops/other', 403],
    ['writer', 'POST', '/ops/itemsx', 403],
    ['writer', 'POST', '/ops/items/1', 200],
    ['reader', 'GET', '/tools/ops/items', 200],
    ['reader', 'POST', '/tools/ops/items', 403],
    ['writer', 'DELETE', '/ops/items/1', 403],
    ['gold', 'HEAD', '/ops/items', 403],
    ['gold', 'GET', '/ops/items', 403],
  ])('%s %s %s → %i', async (consumer, method, path, status) => {
    const hits = up.hits();
    const answer = await send(gw, { method, path, key: who[consumer].key, ...(method === 'POST' || method === 'PUT' ? { body: '{}' } : {}) });
    if (status === 200) {
      expect(answer.status).toBe(200);
      expect(up.seen.at(-1)).toMatchObject({ method, path: path.replace(/^\/tools/, '') });
    } else {
      if (method === 'HEAD') expect(answer.status).toBe(status);
      else expectError(answer, status, 'ERR_GW_FORBIDDEN');
      expect(up.hits()).toBe(hits);
    }
  });
});

describe('429: rate limits', () => {
  it('answers 429 ERR_GW_RATE_LIMITED with Retry-After once the bucket is empty, and RateLimit-* on every answer', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 5; i++) answers.push(await send(gw, { path: '/limited/x', key: who.reader.key }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    for (const [i, answer] of answers.entries()) {
      expect(answer.headers['ratelimit-limit']).toBe('3');
      expect(answer.headers['ratelimit-remaining']).toBe(String(Math.max(0, 2 - i)));
      expect(Number(answer.headers['ratelimit-reset'])).toBeGreaterThan(0);
      expect(Number(answer.headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
    }
    for (const answer of answers.slice(3)) {
      expectError(answer, 429, 'ERR_GW_RATE_LIMITED');
      // One token comes back every 20 s.
      expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(answer.headers['retry-after'])).toBeLessThanOrEqual(20);
    }
    for (const answer of answers.slice(0, 3)) expect(answer.headers['retry-after']).toBeUndefined();
  });

  it('buckets are per consumer: another consumer still gets through', async () => {
    const answer = await send(gw, { path: '/limited/x', key: who.gold.key });
    expect(answer.status).toBe(200);
    expect(answer.headers['ratelimit-remaining']).toBe('2');
  });

  it('an API without a limit sends no RateLimit headers', async () => {
    const answer = await send(gw, { path: '/open/x', key: who.reader.key });
    expect(answer.status).toBe(200);
    expect(answer.headers['ratelimit-limit']).toBeUndefined();
  });

  /** Sends `count` requests back to back and counts those let through. */
  async function allowedInBurst(path: string, consumer: ConsumerKey, count: number): Promise<{ allowed: number; limit: string | undefined }> {
    let allowed = 0;
    let limit: string | undefined;
    for (let i = 0; i < count; i++) {
      const answer = await send(gw, { path, key: consumer.key });
      if (answer.status === 200) allowed++;
      else expectError(answer, 429, 'ERR_GW_RATE_LIMITED');
      limit = answer.headers['ratelimit-limit'] as string | undefined;
    }
    return { allowed, limit };
  }

  it('a limit naming the group wins over a more generous anyGroups limit', async () => {
    expect(await allowedInBurst('/prec-group/x', who.gold, 8)).toEqual({ allowed: 2, limit: '2' });
  });

  it('a consumer whose groups no limit names gets the anyGroups limit', async () => {
    expect(await allowedInBurst('/prec-group/x', who.reader, 14)).toEqual({ allowed: 10, limit: '10' });
  });

  it('among limits for one group, the lowest rate wins (4 per minute over 2 per 10 s)', async () => {
    expect(await allowedInBurst('/prec-restrictive/x', who.gold, 8)).toEqual({ allowed: 4, limit: '4' });
  });

  it("across a consumer's groups, the most favourable group limit wins", async () => {
    expect(await allowedInBurst('/prec-favourable/x', who.goldSilver, 9)).toEqual({ allowed: 5, limit: '5' });
    expect(await allowedInBurst('/prec-favourable/x', who.gold, 5)).toEqual({ allowed: 2, limit: '2' });
    expect(await allowedInBurst('/prec-favourable/x', who.reader, 4)).toEqual({ allowed: 1, limit: '1' });
  });
});

describe('CORS', () => {
  it('answers an allowed preflight itself: 204 with the allow headers, no key needed, backend untouched', async () => {
    const hits = up.hits();
    const answer = await send(gw, {
      method: 'OPTIONS',
      path: '/web/items',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(answer.headers['access-control-allow-methods']).toMatch(/\bPOST\b/);
    expect(answer.headers['access-control-allow-methods']).toMatch(/\bGET\b/);
    expect(answer.headers['access-control-allow-headers']?.toLowerCase()).toContain('authorization');
    expect(answer.headers['access-control-allow-headers']?.toLowerCase()).toContain('content-type');
    expect(answer.headers['access-control-allow-credentials']).toBe('true');
    expect(answer.headers['access-control-max-age']).toBe('600');
    expect(answer.headers.vary).toMatch(/Origin/i);
    expect(answer.text).toBe('');
    expect(up.hits()).toBe(hits);
  });

  it('an origin matching allowOriginListRegex is allowed too', async () => {
    const answer = await send(gw, { method: 'OPTIONS', path: '/web/items', headers: { origin: 'https://a.trusted.example', 'access-control-request-method': 'GET' } });
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe('https://a.trusted.example');
  });

  it.each(['https://evil.example', 'https://app.example.evil.test', 'https://a.trusted.example.evil.test', 'null'])('a preflight from %s gets no allow headers', async (origin) => {
    const hits = up.hits();
    const answer = await send(gw, { method: 'OPTIONS', path: '/web/items', headers: { origin, 'access-control-request-method': 'POST' } });
    expect(answer.status).toBeLessThan(500);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(answer.headers['access-control-allow-methods']).toBeUndefined();
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    expect(up.hits()).toBe(hits);
  });

  it('an actual answer to an allowed origin carries the CORS headers', async () => {
    const answer = await send(gw, { path: '/web/items', key: who.reader.key, headers: { origin: 'https://app.example' } });
    expect(echoOf(answer).path).toBe('/web/items');
    expect(answer.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(answer.headers['access-control-allow-credentials']).toBe('true');
    expect(answer.headers['access-control-expose-headers']).toBe('X-Upstream');
    expect(answer.headers.vary).toMatch(/Origin/i);
  });

  it("the gateway's own error answers carry them too, so a browser can read the error", async () => {
    const answer = await send(gw, { path: '/web/items', headers: { origin: 'https://app.example' } });
    expectError(answer, 401, 'ERR_GW_KEY_MISSING');
    expect(answer.headers['access-control-allow-origin']).toBe('https://app.example');
  });

  it('an actual answer to another origin carries no allow headers', async () => {
    const answer = await send(gw, { path: '/web/items', key: who.reader.key, headers: { origin: 'https://evil.example' } });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('OPTIONS without Access-Control-Request-Method is not a preflight: it needs a key like any request', async () => {
    expectError(await send(gw, { method: 'OPTIONS', path: '/web/items', headers: { origin: 'https://app.example' } }), 401, 'ERR_GW_KEY_MISSING');
  });

  it('an API without CORS does not answer preflights: the key is required', async () => {
    const answer = await send(gw, { method: 'OPTIONS', path: '/open/x', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } });
    expectError(answer, 401, 'ERR_GW_KEY_MISSING');
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });
});
