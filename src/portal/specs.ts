import { parse } from 'yaml';
import type { TargetConfig } from '../policy/index.js';

/** A header or query parameter a version route requires. */
export interface Condition {
  readonly in: 'header' | 'query';
  readonly name: string;
  readonly value: string;
}

export type SpecResult = { readonly ok: true; readonly document: Record<string, unknown> } | { readonly ok: false; readonly status: 404 | 502; readonly message: string };

interface Cached {
  readonly document: Record<string, unknown>;
  readonly etag: string | null;
  readonly lastModified: string | null;
  fetchedAt: number;
}

export interface SpecFetcherOptions {
  /** `namespace/name` → base URL, as the gateway uses them for Services resolved by cluster DNS. */
  readonly serviceOverrides: ReadonlyMap<string, string>;
  readonly timeoutMs?: number;
  /** Largest document read (bytes). */
  readonly maxBytes?: number;
  /** How long a document is used before it is revalidated. */
  readonly freshMs?: number;
}

/**
 * OpenAPI documents, fetched from the backend (`openApiSpec.path` on its Service, or
 * `openApiSpec.url`), cached and revalidated with ETag / Last-Modified, and returned with
 * `servers` pointing at the gateway so calls from the docs go through it.
 */
export class SpecFetcher {
  readonly #cache = new Map<string, Cached>();
  readonly #options: Required<SpecFetcherOptions>;

  constructor(options: SpecFetcherOptions) {
    this.#options = { timeoutMs: 5000, maxBytes: 5 * 1024 * 1024, freshMs: 60_000, ...options };
  }

  /**
   * The document with `servers` set to `serverUrl`, `strip` removed from its paths, and the
   * header or query conditions that choose the version added to every operation.
   */
  async fetch(target: TargetConfig, serverUrl: string, strip = '', conditions: readonly Condition[] = []): Promise<SpecResult> {
    const url = this.#urlOf(target);
    if (url === undefined) return { ok: false, status: 404, message: 'this API has no OpenAPI document' };
    const cached = this.#cache.get(url);
    let document: Record<string, unknown>;
    if (cached !== undefined && Date.now() - cached.fetchedAt < this.#options.freshMs) {
      document = cached.document;
    } else {
      const fetched = await this.#get(url, cached);
      if (!fetched.ok) return fetched;
      document = fetched.document;
    }
    return { ok: true, document: withConditions(withServer(document, serverUrl, strip), conditions) };
  }

  #urlOf(target: TargetConfig): string | undefined {
    const spec = target.openApi;
    if (spec === null) return undefined;
    if (spec.url !== null) return spec.url;
    if (spec.path === null) return undefined;
    const { backend } = target;
    const base = (backend.kind === 'dns' ? this.#options.serviceOverrides.get(`${backend.service.namespace}/${backend.service.name}`) : undefined) ?? backend.urls[0];
    return base === undefined ? undefined : `${base.replace(/\/+$/, '')}${spec.path}`;
  }

  async #get(url: string, cached: Cached | undefined): Promise<SpecResult> {
    const headers: Record<string, string> = { accept: 'application/json, application/yaml, text/yaml, */*' };
    if (cached?.etag != null) headers['if-none-match'] = cached.etag;
    if (cached?.lastModified != null) headers['if-modified-since'] = cached.lastModified;
    let response: Response;
    try {
      response = await fetch(url, { headers, redirect: 'error', signal: AbortSignal.timeout(this.#options.timeoutMs) });
    } catch (error) {
      return { ok: false, status: 502, message: `the OpenAPI document could not be fetched: ${(error as Error).message}` };
    }
    if (response.status === 304 && cached !== undefined) {
      cached.fetchedAt = Date.now();
      return { ok: true, document: cached.document };
    }
    if (!response.ok) return { ok: false, status: 502, message: `the backend answered ${response.status} for the OpenAPI document` };
    const text = await readLimited(response, this.#options.maxBytes);
    if (text === undefined) return { ok: false, status: 502, message: `the OpenAPI document is larger than ${this.#options.maxBytes} bytes` };
    let document: unknown;
    try {
      document = parse(text, { maxAliasCount: 100 });
    } catch (error) {
      return { ok: false, status: 502, message: `the OpenAPI document is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}` };
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document)) return { ok: false, status: 502, message: 'the OpenAPI document is not an object' };
    const entry: Cached = { document: document as Record<string, unknown>, etag: response.headers.get('etag'), lastModified: response.headers.get('last-modified'), fetchedAt: Date.now() };
    this.#cache.set(url, entry);
    return { ok: true, document: entry.document };
  }
}

async function readLimited(response: Response, max: number): Promise<string | undefined> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A copy of the document whose server is the gateway URL and route prefix (OpenAPI 3 and Swagger
 * 2). The backend's paths usually start with what the route forwards (`/employees/{id}` for a
 * route at /employees): that part is removed, since the server URL carries it.
 */
function withServer(document: Record<string, unknown>, serverUrl: string, strip: string): Record<string, unknown> {
  const copy = structuredClone(document);
  const paths = copy.paths;
  if (strip !== '' && typeof paths === 'object' && paths !== null && !Array.isArray(paths)) {
    const rewritten: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(paths)) {
      const inside = key === strip || key.startsWith(`${strip}/`);
      rewritten[inside ? key.slice(strip.length) || '/' : key] = value;
    }
    copy.paths = rewritten;
  }
  if (typeof copy.swagger === 'string') {
    const url = new URL(serverUrl);
    copy.host = url.host;
    copy.basePath = url.pathname;
    copy.schemes = [url.protocol.replace(':', '')];
  } else {
    copy.servers = [{ url: serverUrl, description: 'through the gitgate gateway' }];
  }
  return copy;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Adds each condition to every operation as a required parameter with its one value. */
function withConditions(document: Record<string, unknown>, conditions: readonly Condition[]): Record<string, unknown> {
  if (conditions.length === 0) return document;
  const paths = document.paths;
  if (typeof paths !== 'object' || paths === null) return document;
  const swagger = typeof document.swagger === 'string';
  for (const item of Object.values(paths as Record<string, unknown>)) {
    if (typeof item !== 'object' || item === null) continue;
    for (const method of METHODS) {
      const operation = (item as Record<string, unknown>)[method];
      if (typeof operation !== 'object' || operation === null) continue;
      const op = operation as { parameters?: unknown[] };
      const parameters = Array.isArray(op.parameters) ? op.parameters : [];
      for (const c of conditions) {
        const parameter = swagger
          ? { name: c.name, in: c.in, required: true, type: 'string', enum: [c.value], default: c.value, description: 'Chooses this version at the gateway.' }
          : { name: c.name, in: c.in, required: true, schema: { type: 'string', enum: [c.value], default: c.value }, description: 'Chooses this version at the gateway.' };
        op.parameters = [...parameters.filter((p) => !(typeof p === 'object' && p !== null && (p as { name?: unknown }).name === c.name)), parameter];
      }
    }
  }
  return document;
}
