import type { ApiAccessConfig, MatcherConfig, OperationGrant, TargetConfig } from '../policy/index.js';
import { canonicalizePath, coversPath } from './canonical-path.js';

/** One operation matcher, ready for requests. */
interface Matcher {
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
    for (const [name, matchers] of Object.entries(target.operationSets)) matchersBySet.set(name, matchers.map(compileMatcher));
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
    for (const group of groups) {
      const grant = this.#groups.get(group);
      if (grant !== undefined && grantAllows(grant, method, path)) return true;
    }
    return this.#anyGroups !== null && grantAllows(this.#anyGroups, method, path);
  }
}

function grantAllows(grant: CompiledGrant, method: string, path: string): boolean {
  if (grant === true) return true;
  for (const matcher of grant) if (matches(matcher, method, path)) return true;
  return false;
}

function matches(matcher: Matcher, method: string, path: string): boolean {
  if (matcher.methods !== null && !matcher.methods.has(method) && !(method === 'HEAD' && matcher.methods.has('GET'))) return false;
  if (matcher.path !== null && path !== matcher.path) return false;
  if (matcher.pathPrefix !== null && !coversPath(matcher.pathPrefix, path)) return false;
  if (matcher.pathRegex !== null && !matcher.pathRegex.test(path)) return false;
  return true;
}

function compileMatcher(config: MatcherConfig): Matcher {
  // Configured paths are put in the same canonical form as request paths, so `/caf%c3%a9` in
  // the repository matches a request for `/caf%C3%A9`. A path that has no canonical form can
  // match no request: it is kept as is and never equals a canonical path.
  const canonical = (value: string | null) => {
    if (value === null) return null;
    const result = canonicalizePath(value);
    return typeof result === 'string' ? result : value;
  };
  return {
    path: canonical(config.path),
    pathPrefix: canonical(config.pathPrefix),
    pathRegex: config.pathRegex === null ? null : new RegExp(config.pathRegex.source, config.pathRegex.flags),
    methods: config.methods.length === 0 ? null : new Set(config.methods),
  };
}
