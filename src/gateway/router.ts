import type { ConditionList } from '../policy/index.js';

/** What a router needs of a route; the gateway's compiled route extends it. */
export interface RoutableRoute {
  readonly pathPrefix: string;
  readonly headers: ConditionList;
  readonly query: ConditionList;
}

/**
 * Where a request's headers are read, only for routes with header conditions: an IncomingMessage
 * (node builds its `headers` object on first read, which most requests never need).
 */
export interface HeaderSource {
  /** Lower-cased header names; repeated lines joined with ", ". */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * Longest-prefix routing by whole segments. Routes are grouped by prefix; a request tries its
 * own path, then each shorter prefix ending at a '/', so a lookup costs one Map read per path
 * segment whatever the number of routes. Within a prefix, routes keep the compiler's order (most
 * conditions first, version routes before fallbacks) and the first whose conditions hold wins.
 */
export class Router<R extends RoutableRoute> {
  readonly #byPrefix = new Map<string, R[]>();

  constructor(routes: readonly R[]) {
    for (const route of routes) {
      const list = this.#byPrefix.get(route.pathPrefix);
      if (list === undefined) this.#byPrefix.set(route.pathPrefix, [route]);
      else list.push(route);
    }
  }

  match(path: string, query: string, request: HeaderSource): R | undefined {
    let prefix = path;
    if (prefix.length > 1 && prefix.endsWith('/')) prefix = prefix.slice(0, -1);
    let params: URLSearchParams | undefined;
    for (;;) {
      const candidates = this.#byPrefix.get(prefix);
      if (candidates !== undefined) {
        for (const route of candidates) {
          if (route.headers.length > 0 && !headersMatch(route.headers, request.headers)) continue;
          if (route.query.length > 0) {
            params ??= new URLSearchParams(query);
            if (!queryMatches(route.query, params)) continue;
          }
          return route;
        }
      }
      if (prefix === '/') return undefined;
      const slash = prefix.lastIndexOf('/');
      prefix = slash === 0 ? '/' : prefix.slice(0, slash);
    }
  }
}

function headersMatch(conditions: ConditionList, headers: HeaderSource['headers']): boolean {
  for (const [name, value] of conditions) {
    const actual = headers[name];
    if (actual !== value && !(Array.isArray(actual) && actual.includes(value))) return false;
  }
  return true;
}

function queryMatches(conditions: ConditionList, params: URLSearchParams): boolean {
  for (const [name, value] of conditions) if (!params.getAll(name).includes(value)) return false;
  return true;
}
