/**
 * What changed in an API's contract. Breaking kinds break a client written against the base
 * revision; each has a benign counterpart reported with `breaking: false`.
 */
export type ContractChangeKind =
  | 'operation-removed'
  | 'operation-added'
  /** A new required parameter, or an optional one made required. */
  | 'parameter-required'
  | 'parameter-added'
  | 'request-body-required'
  /** A new required request field, or an optional one made required. */
  | 'request-field-required'
  | 'request-field-added'
  | 'response-field-removed'
  /** A response field that was required may now be left out. */
  | 'response-field-optional'
  | 'response-field-added'
  /** Fewer types allowed (`number` → `integer`, `null` dropped): breaking in what clients send. */
  | 'type-narrowed'
  /** More types allowed: breaking in what clients receive. */
  | 'type-widened'
  /** Some types dropped and others added (`string` → `integer`): breaking both ways. */
  | 'type-changed'
  /** Values dropped from an `enum` (or `const`), or a field newly restricted to a list. */
  | 'enum-narrowed'
  /** Values added to an `enum`, or a restriction lifted. */
  | 'enum-widened'
  /** The head revision's document cannot be read or parsed, so it was not compared. */
  | 'document-invalid';

export interface ContractChange {
  /** The API, `namespace/name`. */
  readonly api: string;
  readonly kind: ContractChangeKind;
  readonly breaking: boolean;
  /** `GET /flights/{id}`: the head's path template, or the base's for a removed operation. */
  readonly operation?: string;
  /**
   * The document and the place in it: `<source>#<pointer>`, the pointer following `$ref`s
   * into where they are used, parameters named `<in>:<name>`.
   */
  readonly location: string;
  readonly message: string;
}
