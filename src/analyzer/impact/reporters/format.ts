import type { LimitView, RouteView } from '../types.js';

/** `name (limit/period)`, or `none`. */
export function limitText(limit: LimitView | null): string {
  return limit === null ? 'none' : `${limit.name} (${limit.limit}/${limit.period})`;
}

export function hostsText(hosts: readonly string[]): string {
  return hosts.join(', ') === '*' ? 'every host' : hosts.join(', ');
}

export function targetText(route: { readonly api: string; readonly version: string | null }): string {
  return route.version === null ? route.api : `${route.api} version ${route.version}`;
}

export function operationsText(operations: readonly string[]): string {
  return operations.length === 1 && operations[0] === '*' ? 'every operation' : operations.join(', ');
}

export function groupText(group: string): string {
  return group === '*' ? 'any consumer' : group;
}

export function routeConditions(route: Pick<RouteView, 'conditions'>): string {
  return route.conditions.length === 0 ? '' : route.conditions.join(', ');
}
