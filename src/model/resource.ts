import type { Kind } from './kinds.js';
import type { SchemaProblem } from './schema/decode.js';
import type { ResourceSource } from './source.js';
import type { SpecOf } from './types.js';

/** A resource of a kind gitgate understands, whose spec decoded into its shape. */
export interface Resource<K extends Kind = Kind> {
  readonly kind: K;
  readonly apiVersion: string;
  readonly name: string;
  /** Undefined for cluster-scoped kinds. */
  readonly namespace: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: SpecOf<K>;
  readonly source: ResourceSource;
  /** `kind/namespace/name`, unique per definition in a graph. */
  readonly id: string;
  /** `namespace/name` or `name`, as messages write it. */
  readonly ref: string;
}

/**
 * Every document that declares an `apiVersion` and a `kind`: known or not, valid or not. A
 * document whose spec could not be decoded has no `resource` but still counts as existing, so
 * references to it resolve and only its own problems are reported.
 */
export interface ResourceEntry {
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string | undefined;
  readonly namespace: string | undefined;
  readonly known: boolean;
  readonly source: ResourceSource;
  readonly problems: readonly SchemaProblem[];
  readonly resource: Resource | undefined;
  /**
   * A v1 ConfigMap's `data`, string values only (what other parts read from a ConfigMap, such
   * as an OpenAPI document); undefined for every other kind, so no other document is kept.
   */
  readonly data?: Readonly<Record<string, string>> | undefined;
}

export function resourceId(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

export function resourceRef(namespace: string | undefined, name: string): string {
  return namespace === undefined ? name : `${namespace}/${name}`;
}
