import { createServer, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  createConsumers,
  defer,
  send,
  startCliGateway,
  startEchoUpstream,
  tempDir,
  writeResources,
  yaml,
  type ConsumerKey,
} from '../helpers/gateway-fixtures.js';

// Issue 3, Telemetry: "OTLP/HTTP push when an endpoint is configured". A real HTTP server on
// loopback receives what the real OTLP exporter of `gitgate serve --otlp-endpoint` sends; the
// exporter pushes every 15 s and once more when serve stops, which is what this test waits for.

interface Received {
  readonly path: string;
  readonly contentType: string;
  readonly body: string;
}

let received: Received[];
let collectorUrl: string;
let who: Record<'alice', ConsumerKey>;
let dir: string;
let dataDir: string;

beforeAll(async () => {
  received = [];
  const collector = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  defer(() => new Promise((resolve) => collector.close(resolve)));
  collectorUrl = `http://127.0.0.1:${(collector.address() as { port: number }).port}/v1/metrics`;
  const up = await startEchoUpstream('otlp');
  dir = await tempDir('otlp-res');
  dataDir = await tempDir('otlp-data');
  await writeResources(dir, [...yaml.backend('app', [up.port]), yaml.api({ name: 'orders', pathPrefix: '/orders', service: 'app' }), yaml.access({ name: 'all', apis: ['orders'] }), yaml.gateway('main', ['all'])]);
  who = await createConsumers(dataDir, { alice: ['member'] });
});

afterAll(cleanup);

describe('gitgate serve --otlp-endpoint', () => {
  it('pushes the request metrics with their labels to the collector', async () => {
    const serve = await startCliGateway(['--dir', dir, '--data-dir', dataDir, '--no-portal', '--otlp-endpoint', collectorUrl]);
    for (let i = 0; i < 3; i++) expect((await send(serve.gateway, { path: '/orders/1', key: who.alice.key })).status).toBe(200);
    expect((await send(serve.gateway, { path: '/orders/1' })).status).toBe(401);
    expect(await serve.stop()).toBe(0);
    const pushes = received.filter((r) => r.path === '/v1/metrics');
    expect(pushes.length).toBeGreaterThan(0);
    const last = pushes.at(-1)!;
    expect(last.contentType).toMatch(/json|protobuf/);
    const text = last.body;
    expect(text).toContain('gitgate_requests');
    expect(text).toContain('gitgate_request_duration_seconds');
    for (const value of ['apps/orders', 'alice@example.com', '"200"', '"401"']) expect(text).toContain(value);
    // The key is never a label value.
    expect(text).not.toContain(who.alice.key);
  }, 30_000);
});
