import type { ApiAccessConfig, MatcherConfig, OperationGrant, TargetConfig } from '../policy/index.js';
import { canonicalizePath, coversPath } from './canonical-path.js';

/** One operation matcher, ready for requests. */
interface Matcher {
  /** The operation set it belongs to, for usage records. */
  readonly set: string;
  readonly path: string | null;
  readonly pathPrefix: string | null;
  readonly pathRegex: RegExp | null;
  /** Null means every method. */
  readonly methods: ReadonlySet<string> | null;
}

/** Every operation, or these matchers (an empty list grants nothing). */
type CompiledGrant = true | readonly Matcher[];

/**
 * Who may call one route's target, compiled from the gateway's access config and the target's
 * operation sets: per group a grant, plus the grant for any authenticated consumer.
 */
export class AccessPolicy {
  readonly #groups: ReadonlyMap<string, CompiledGrant>;
  readonly #anyGroups: CompiledGrant | null;

  constructor(access: ApiAccessConfig | undefined, target: TargetConfig) {
    const matchersBySet = new Map<string, Matcher[]>();
    for (const [name, matchers] of Object.entries(target.operationSets)) matchersBySet.set(name, matchers.map((m) => compileMatcher(name, m)));
    const compileGrant = (grant: OperationGrant): CompiledGrant =>
      grant === '*' ? true : grant.flatMap((name) => matchersBySet.get(name) ?? []);
    this.#groups = new Map(Object.entries(access?.groups ?? {}).map(([group, grant]) => [group, compileGrant(grant)]));
    this.#anyGroups = access?.anyGroups == null ? null : compileGrant(access.anyGroups);
  }

  /**
   * Whether a consumer in `groups` may call `method` on `path` (the path the backend receives).
   * HEAD is authorized as GET.
   */
  allows(groups: readonly string[], method: string, path: string): boolean {
    return this.grantingOperation(groups, method, path) !== undefined;
  }

  /** The operation set that grants the call (`*` for a grant of every operation), or undefined. */
  grantingOperation(groups: readonly string[], method: string, path: string): string | undefined {
    for (const group of groups) {
      const grant = this.#groups.get(group);
      const granted = grant === undefined ? undefined : grantingSet(grant, method, path);
      if (granted !== undefined) return granted;
    }
    return this.#anyGroups === null ? undefined : grantingSet(this.#anyGroups, method, path);
  }
}

function grantingSet(grant: CompiledGrant, method: string, path: string): string | undefined {
  if (grant === true) return '*';
  for (const matcher of grant) if (matches(matcher, method, path)) return matcher.set;
  return undefined;
}

function matches(matcher: Matcher, method: string, path: string): boolean {
  if (matcher.methods !== null && !matcher.methods.has(method) && !(method === 'HEAD' && matcher.methods.has('GET'))) return false;
  if (matcher.path !== null && path !== matcher.path) return false;
  if (matcher.pathPrefix !== null && !coversPath(matcher.pathPrefix, path)) return false;
  if (matcher.pathRegex !== null && !matcher.pathRegex.test(path)) return false;
  return true;
}

function compileMatcher(set: string, config: MatcherConfig): Matcher {
  // Configured paths are put in the same canonical form as request paths, so `/caf%c3%a9` in
  // the repository matches a request for `/caf%C3%A9`. A path that has no canonical form can
  // match no request: it is kept as is and never equals a canonical path.
  const canonical = (value: string | null) => {
    if (value === null) return null;
    const result = canonicalizePath(value);
    return typeof result === 'string' ? result : value;
  };
  return {
    set,
    path: canonical(config.path),
    pathPrefix: canonical(config.pathPrefix),
    pathRegex: config.pathRegex === null ? null : new RegExp(config.pathRegex.source, config.pathRegex.flags),
    methods: config.methods.length === 0 ? null : new Set(config.methods),
  };
}
