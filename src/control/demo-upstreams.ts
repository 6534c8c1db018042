import { createServer, type Server } from 'node:http';
import { listen } from '../gateway/index.js';
import type { RuntimeConfig } from '../policy/index.js';

/** One demo backend: which API it stands for and where it listens. */
export interface DemoUpstream {
  readonly api: string;
  readonly version: string | null;
  readonly port: number;
  readonly server: Server;
}

const LOCAL = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Small backends for every target of a configuration whose addresses are on this machine, so the
 * bundled example runs without Kubernetes. Each answers JSON for any path under its API and
 * serves an OpenAPI document at the path the API names.
 */
export async function startDemoUpstreams(config: RuntimeConfig): Promise<DemoUpstream[]> {
  const wanted = new Map<number, { api: string; version: string | null; openApiPath: string | null; prefix: string }>();
  for (const [key, api] of Object.entries(config.apis)) {
    for (const target of Object.values(api.targets)) {
      for (const url of target.backend.urls) {
        const parsed = new URL(url);
        if (!LOCAL.has(parsed.hostname) || wanted.has(Number(parsed.port))) continue;
        const prefix = config.gateways.flatMap((g) => g.routes).find((r) => r.api === key && r.version === target.version)?.upstreamPrefix ?? '/';
        wanted.set(Number(parsed.port), { api: key, version: target.version, openApiPath: target.openApi?.path ?? null, prefix });
      }
    }
  }
  const started: DemoUpstream[] = [];
  for (const [port, info] of wanted) {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (info.openApiPath !== null && path === info.openApiPath) {
        res.writeHead(200, { 'content-type': 'application/yaml' });
        res.end(openApiDocument(info.api, info.version, info.prefix));
        return;
      }
      req.resume();
      const body = JSON.stringify({
        api: info.api,
        version: info.version,
        method: req.method,
        path: req.url,
        consumer: req.headers['x-gitgate-email'] ?? null,
        item: { id: path.split('/').pop(), name: `demo ${info.api.split('/')[1]}` },
      });
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-powered-by': 'gitgate-demo' });
      res.end(body);
    });
    await listen(server, { host: '127.0.0.1', port });
    started.push({ api: info.api, version: info.version, port, server });
  }
  return started;
}

function openApiDocument(api: string, version: string | null, prefix: string): string {
  const [, name] = api.split('/');
  const base = prefix === '/' ? '' : prefix;
  return `openapi: 3.0.3
info:
  title: ${name}${version === null ? '' : ` ${version}`}
  version: ${version ?? '1.0.0'}
  description: A demo backend of the airlines example.
paths:
  ${base}/{id}:
    get:
      summary: Read one item
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        '200': { description: The item }
  ${base}:
    get:
      summary: List items
      responses:
        '200': { description: The items }
    post:
      summary: Create an item
      responses:
        '201': { description: Created }
`;
}

export async function stopDemoUpstreams(upstreams: readonly DemoUpstream[]): Promise<void> {
  await Promise.all(upstreams.map((u) => new Promise((resolve) => u.server.close(resolve))));
}
