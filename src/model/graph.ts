import { DEFAULT_NAMESPACE, type Kind } from './kinds.js';
import type { LoadResult } from './load.js';
import { resourceId, type Resource, type ResourceEntry } from './resource.js';
import { compileSelector } from './selector.js';
import type { ApiReference, LabelSelector } from './types.js';
import type { FileProblem } from './yaml-file.js';

/** An API granted by an APIAccess, directly or through a collection. */
export interface Grant {
  readonly api: Resource<'API'>;
  /** The collection the API was granted through; undefined for a direct grant. */
  readonly collection: Resource<'APICollection'> | undefined;
}

type Selectable = 'API' | 'APICollection';

/**
 * The loaded resources with the indexes rules and the compiler need: by kind, by id, by label,
 * and the relations between kinds, each computed once on first use. It is read-only: build a
 * new graph for a new revision.
 */
export class ResourceGraph {
  readonly files: number;
  /** Every document that declared a kind, in load order. */
  readonly entries: readonly ResourceEntry[];
  readonly fileProblems: readonly FileProblem[];
  /** Second and later definitions of the same kind/namespace/name. */
  readonly duplicates: readonly ResourceEntry[];

  readonly #byKind = new Map<Kind, Resource[]>();
  readonly #byId = new Map<string, Resource>();
  readonly #defined = new Set<string>();
  readonly #labelIndex = new Map<Selectable, Map<string, Map<string, Resource[]>>>();
  readonly #memo = new Map<string, unknown>();

  constructor(load: LoadResult) {
    this.files = load.files;
    this.entries = load.entries;
    this.fileProblems = load.fileProblems;
    const duplicates: ResourceEntry[] = [];
    for (const entry of load.entries) {
      if (!entry.known || entry.name === undefined) continue;
      const id = resourceId(entry.kind, entry.namespace, entry.name);
      if (this.#defined.has(id)) {
        duplicates.push(entry);
        continue;
      }
      this.#defined.add(id);
      const resource = entry.resource;
      if (resource === undefined) continue;
      this.#byId.set(id, resource);
      let list = this.#byKind.get(resource.kind);
      if (list === undefined) this.#byKind.set(resource.kind, (list = []));
      list.push(resource);
    }
    this.duplicates = duplicates;
  }

  /** The valid resources of a kind, first definitions only, in load order. */
  list<K extends Kind>(kind: K): readonly Resource<K>[] {
    return (this.#byKind.get(kind) ?? []) as unknown as Resource<K>[];
  }

  get<K extends Kind>(kind: K, namespace: string | undefined, name: string): Resource<K> | undefined {
    return this.#byId.get(resourceId(kind, namespace, name)) as Resource<K> | undefined;
  }

  /** True when a resource is defined, even one whose spec is invalid (it is reported on its own). */
  exists(kind: Kind, namespace: string | undefined, name: string): boolean {
    return this.#defined.has(resourceId(kind, namespace, name));
  }

  /** Resources of a kind whose labels match a selector, through a label index. */
  select<K extends Selectable>(kind: K, selector: LabelSelector | undefined): readonly Resource<K>[] {
    if (selector === undefined) return [];
    const all = this.list(kind);
    const matches = compileSelector(selector);
    // Start from the smallest index bucket among the exact-match labels: selectors usually name
    // one or two labels, so this avoids scanning every API for every selector.
    let candidates: readonly Resource[] = all;
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
      const bucket = this.#labelBucket(kind, key, value);
      if (bucket.length < candidates.length) candidates = bucket;
    }
    return candidates.filter((resource) => matches(resource.labels)) as Resource<K>[];
  }

  /** The API an `apis[]` entry names (an omitted namespace means `default`). */
  apiByReference(reference: ApiReference): Resource<'API'> | undefined {
    return this.get('API', reference.namespace ?? DEFAULT_NAMESPACE, reference.name);
  }

  apisOfCollection(collection: Resource<'APICollection'>): readonly Resource<'API'>[] {
    return this.#remember(`collection-apis:${collection.id}`, () =>
      this.#union(this.select('API', collection.spec.apiSelector), collection.spec.apis),
    );
  }

  collectionsOfAccess(access: Resource<'APIAccess'>): readonly Resource<'APICollection'>[] {
    return this.#remember(`access-collections:${access.id}`, () => {
      const out = new Set(this.select('APICollection', access.spec.apiCollectionSelector));
      for (const reference of access.spec.apiCollections ?? []) {
        const collection = this.get('APICollection', undefined, reference.name);
        if (collection !== undefined) out.add(collection);
      }
      return [...out];
    });
  }

  /** What an APIAccess grants: its APIs directly, then each through its collections. */
  grantsOfAccess(access: Resource<'APIAccess'>): readonly Grant[] {
    return this.#remember(`access-grants:${access.id}`, () => {
      const grants: Grant[] = this.#union(this.select('API', access.spec.apiSelector), access.spec.apis).map((api) => ({
        api,
        collection: undefined,
      }));
      for (const collection of this.collectionsOfAccess(access)) {
        for (const api of this.apisOfCollection(collection)) grants.push({ api, collection });
      }
      return grants;
    });
  }

  /** The distinct APIs an APIAccess grants, however they are reached. */
  apisOfAccess(access: Resource<'APIAccess'>): readonly Resource<'API'>[] {
    return this.#remember(`access-apis:${access.id}`, () => [...new Set(this.grantsOfAccess(access).map((grant) => grant.api))]);
  }

  apisOfRateLimit(limit: Resource<'APIRateLimit'>): readonly Resource<'API'>[] {
    return this.#remember(`ratelimit-apis:${limit.id}`, () => this.#union(this.select('API', limit.spec.apiSelector), limit.spec.apis));
  }

  accessesOfGateway(gateway: Resource<'APIGateway'>): readonly Resource<'APIAccess'>[] {
    return this.#remember(`gateway-accesses:${gateway.id}`, () => {
      const out = new Set<Resource<'APIAccess'>>();
      for (const name of gateway.spec.apiAccesses ?? []) {
        const access = this.get('APIAccess', undefined, name);
        if (access !== undefined) out.add(access);
      }
      return [...out];
    });
  }

  gatewaysOfAccess(access: Resource<'APIAccess'>): readonly Resource<'APIGateway'>[] {
    return this.#reverse('access-gateways', access.id, () => {
      const index = new Map<string, Resource<'APIGateway'>[]>();
      for (const gateway of this.list('APIGateway')) {
        for (const listed of this.accessesOfGateway(gateway)) push(index, listed.id, gateway);
      }
      return index;
    });
  }

  accessesOfCollection(collection: Resource<'APICollection'>): readonly Resource<'APIAccess'>[] {
    return this.#reverse('collection-accesses', collection.id, () => {
      const index = new Map<string, Resource<'APIAccess'>[]>();
      for (const access of this.list('APIAccess')) {
        for (const reached of this.collectionsOfAccess(access)) push(index, reached.id, access);
      }
      return index;
    });
  }

  accessesOfApi(api: Resource<'API'>): readonly Resource<'APIAccess'>[] {
    return this.#reverse('api-accesses', api.id, () => {
      const index = new Map<string, Resource<'APIAccess'>[]>();
      for (const access of this.list('APIAccess')) {
        for (const granted of this.apisOfAccess(access)) push(index, granted.id, access);
      }
      return index;
    });
  }

  /** The APIVersions whose `apiName` names this API, in load order. */
  versionsOfApi(api: Resource<'API'>): readonly Resource<'APIVersion'>[] {
    return this.#reverse('api-versions', api.id, () => {
      const index = new Map<string, Resource<'APIVersion'>[]>();
      for (const version of this.list('APIVersion')) push(index, resourceId('API', version.namespace, version.spec.apiName), version);
      return index;
    });
  }

  /** EndpointSlices labelled `kubernetes.io/service-name: <service>` in the Service's namespace. */
  endpointSlicesOfService(service: Resource<'Service'>): readonly Resource<'EndpointSlice'>[] {
    return this.#reverse('service-slices', service.id, () => {
      const index = new Map<string, Resource<'EndpointSlice'>[]>();
      for (const slice of this.list('EndpointSlice')) {
        const owner = slice.labels['kubernetes.io/service-name'];
        if (owner !== undefined) push(index, resourceId('Service', slice.namespace, owner), slice);
      }
      return index;
    });
  }

  #union(selected: readonly Resource<'API'>[], references: readonly ApiReference[] | undefined): Resource<'API'>[] {
    const out = new Set(selected);
    for (const reference of references ?? []) {
      const api = this.apiByReference(reference);
      if (api !== undefined) out.add(api);
    }
    return [...out];
  }

  #labelBucket(kind: Selectable, key: string, value: string): readonly Resource[] {
    let index = this.#labelIndex.get(kind);
    if (index === undefined) {
      index = new Map();
      for (const resource of this.list(kind)) {
        for (const [label, labelValue] of Object.entries(resource.labels)) {
          let byValue = index.get(label);
          if (byValue === undefined) index.set(label, (byValue = new Map()));
          let bucket = byValue.get(labelValue);
          if (bucket === undefined) byValue.set(labelValue, (bucket = []));
          bucket.push(resource);
        }
      }
      this.#labelIndex.set(kind, index);
    }
    return index.get(key)?.get(value) ?? [];
  }

  #remember<T>(key: string, compute: () => T): T {
    if (this.#memo.has(key)) return this.#memo.get(key) as T;
    const value = compute();
    this.#memo.set(key, value);
    return value;
  }

  #reverse<T>(name: string, id: string, build: () => Map<string, T[]>): readonly T[] {
    return this.#remember(name, build).get(id) ?? [];
  }
}

function push<T>(index: Map<string, T[]>, key: string, value: T): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

export function createGraph(load: LoadResult): ResourceGraph {
  return new ResourceGraph(load);
}
