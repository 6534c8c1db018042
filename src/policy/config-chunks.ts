import type { ApiConfig, GatewayConfig, RouteConfig, RuntimeConfig } from './runtime-config.js';

/**
 * A RuntimeConfig in pieces, for sending between threads and processes. Deserializing a 20 MB
 * configuration in one message blocks the receiving event loop for a second; pieces of a few
 * hundred APIs or a few thousand routes each take milliseconds, so traffic flows in between.
 */
export type ConfigChunk =
  | { readonly kind: 'begin'; readonly revision: string; readonly hash: string; readonly portals: RuntimeConfig['portals']; readonly gateways: readonly Omit<GatewayConfig, 'routes' | 'access'>[] }
  | { readonly kind: 'apis'; readonly items: readonly (readonly [string, ApiConfig])[] }
  | { readonly kind: 'routes'; readonly gateway: string; readonly items: readonly RouteConfig[] }
  | { readonly kind: 'access'; readonly gateway: string; readonly items: readonly (readonly [string, GatewayConfig['access'][string]])[] }
  | { readonly kind: 'end' };

export function* splitConfig(config: RuntimeConfig, size = 100): Generator<ConfigChunk> {
  yield { kind: 'begin', revision: config.revision, hash: config.hash, portals: config.portals, gateways: config.gateways.map(({ name, hosts }) => ({ name, hosts })) };
  const apis = Object.entries(config.apis);
  for (let i = 0; i < apis.length; i += size) yield { kind: 'apis', items: apis.slice(i, i + size) };
  for (const gateway of config.gateways) {
    // Routes are small: ten times as many per piece.
    for (let i = 0; i < gateway.routes.length; i += size * 10) yield { kind: 'routes', gateway: gateway.name, items: gateway.routes.slice(i, i + size * 10) };
    const access = Object.entries(gateway.access);
    for (let i = 0; i < access.length; i += size * 4) yield { kind: 'access', gateway: gateway.name, items: access.slice(i, i + size * 4) };
  }
  yield { kind: 'end' };
}

/** Collects pieces in order; `add` returns the whole configuration once the last piece arrived. */
export class ConfigAssembler {
  #begin: Extract<ConfigChunk, { kind: 'begin' }> | undefined;
  #apis: Record<string, ApiConfig> = {};
  #routes = new Map<string, RouteConfig[]>();
  #access = new Map<string, Record<string, GatewayConfig['access'][string]>>();

  add(chunk: ConfigChunk): RuntimeConfig | undefined {
    switch (chunk.kind) {
      case 'begin':
        this.#begin = chunk;
        this.#apis = {};
        this.#routes = new Map();
        this.#access = new Map();
        return undefined;
      case 'apis':
        for (const [key, api] of chunk.items) this.#apis[key] = api;
        return undefined;
      case 'routes': {
        const list = this.#routes.get(chunk.gateway) ?? [];
        for (const route of chunk.items) list.push(route);
        this.#routes.set(chunk.gateway, list);
        return undefined;
      }
      case 'access': {
        const record = this.#access.get(chunk.gateway) ?? {};
        for (const [key, access] of chunk.items) record[key] = access;
        this.#access.set(chunk.gateway, record);
        return undefined;
      }
      case 'end': {
        const begin = this.#begin;
        if (begin === undefined) throw new Error('configuration pieces out of order: end before begin');
        this.#begin = undefined;
        return {
          format: 1,
          revision: begin.revision,
          hash: begin.hash,
          gateways: begin.gateways.map((g) => ({ ...g, routes: this.#routes.get(g.name) ?? [], access: this.#access.get(g.name) ?? {} })),
          apis: this.#apis,
          portals: begin.portals,
        };
      }
    }
  }
}
