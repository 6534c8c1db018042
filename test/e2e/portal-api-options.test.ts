import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, send } from '../helpers/gateway-fixtures.js';
import { PASSWORD, PortalClient, startPortalStack, type PortalStack } from '../helpers/portal-fixtures.js';

// Issue 6: the portal's options on startServe. `gatewayUrl` is what the documents' servers point
// at; `publicUrl` is where consumers reach the portal: over HTTPS the session cookie is Secure,
// and the gateway lets that origin (and the portal's own listener) call it from the docs' try-it.

const GATEWAY_URL = 'https://gateway.example.test/';
const PUBLIC_URL = 'https://portal.example.test';
let s: PortalStack;
let client: PortalClient;

beforeAll(async () => {
  s = await startPortalStack({ portal: { gatewayUrl: GATEWAY_URL, publicUrl: PUBLIC_URL } });
  await s.addUser('staff@example.com', ['staff']);
  client = new PortalClient(s.portal);
});

afterAll(cleanup);

describe('portal options', () => {
  it('publicUrl on HTTPS: the session cookie is Secure (and still HttpOnly, SameSite)', async () => {
    const login = await client.login('staff@example.com');
    expect(login.status).toBe(200);
    const attributes = login.setCookie!.split(';').slice(1).map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax']));
  });

  it("gatewayUrl: the documents' servers point at it, with the way in", async () => {
    await client.signIn('staff@example.com');
    expect((await client.get('/api/apis/orders@apps')).json).toMatchObject({ servers: [{ url: 'https://gateway.example.test' }] });
    expect((await client.get('/api/collections/crm/apis/customers@apps')).json).toMatchObject({ servers: [{ url: 'https://gateway.example.test/crm' }] });
  });

  it("a state change from publicUrl's origin is the portal's own, whether or not the proxy in front keeps the Host", async () => {
    for (const host of ['portal.example.test', undefined]) {
      const behind = new PortalClient(s.portal, host === undefined ? {} : { host });
      const login = await behind.request({ method: 'POST', path: '/auth/login', json: { email: 'staff@example.com', password: PASSWORD }, headers: { origin: PUBLIC_URL, 'sec-fetch-site': 'same-origin' } });
      expect({ host, status: login.status }).toEqual({ host, status: 200 });
    }
  });

  it("the gateway answers CORS to the portal's origins (publicUrl and its listener) and to no other", async () => {
    const preflight = (origin: string) =>
      send(s.gateway, { method: 'OPTIONS', path: '/orders/1', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    for (const origin of [PUBLIC_URL, `http://127.0.0.1:${s.portal.port}`]) {
      const answer = await preflight(origin);
      expect({ origin, status: answer.status < 300, allow: answer.headers['access-control-allow-origin'] }).toEqual({ origin, status: true, allow: origin });
      expect(String(answer.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    }
    const other = await preflight('https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
