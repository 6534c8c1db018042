import type { Diagnostic } from '../diagnostic.js';

// The impact report of a change (`gitgate diff`): the difference of two compiled
// configurations, per APIGateway, plus lint, consumers and a risk summary. The JSON format is
// this structure as is (docs/impact.md).

/** A rate limit as reports show it: `name (limit/period)`. */
export interface LimitView {
  readonly name: string;
  readonly limit: number;
  readonly period: string;
}

export interface RouteView {
  /** Hosts the gateway answers on; `["*"]` for every host. */
  readonly hosts: readonly string[];
  readonly pathPrefix: string;
  /** Header and query conditions, `name=value`, sorted; empty when none. */
  readonly conditions: readonly string[];
  readonly api: string;
  readonly version: string | null;
}

export interface RouteChanged {
  readonly hosts: readonly string[];
  readonly pathPrefix: string;
  readonly conditions: readonly string[];
  readonly before: { readonly api: string; readonly version: string | null };
  readonly after: { readonly api: string; readonly version: string | null };
}

/** Operation sets granted or revoked for a group on an API; `*` for every operation. */
export interface AccessChange {
  /** A group, or `*` for any consumer (`anyGroups`). */
  readonly group: string;
  readonly api: string;
  readonly operations: readonly string[];
  /** For a revocation that narrows `*` to some sets: what the group keeps. */
  readonly remaining?: readonly string[];
}

export interface RateLimitChange {
  /** A group, or `*` for consumers no group-specific limit names. */
  readonly group: string;
  readonly api: string;
  readonly before: LimitView | null;
  readonly after: LimitView | null;
}

export interface ApiChanged {
  readonly api: string;
  /** What changed: `backend`, `versions`, `current version`, `cors`, `headers`, `operation sets`. */
  readonly changes: readonly string[];
}

export interface GatewayImpact {
  readonly name: string;
  readonly routes: { readonly added: readonly RouteView[]; readonly removed: readonly RouteView[]; readonly changed: readonly RouteChanged[] };
  readonly access: { readonly granted: readonly AccessChange[]; readonly revoked: readonly AccessChange[] };
  readonly rateLimits: readonly RateLimitChange[];
  readonly apis: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly changed: readonly ApiChanged[] };
}

export type LintChange = Diagnostic;

/** A consumer who called an affected API in the usage window. */
export interface ConsumerImpact {
  readonly email: string;
  readonly keyName: string;
  readonly api: string;
  readonly requests: number;
  /** Why they are affected: `access revoked`, `route removed`, `API removed`, `rate limit decreased`... */
  readonly reasons: readonly string[];
  /** For a decreased rate limit: how many of their requests the new limit would have refused. */
  readonly refusedByNewLimit?: number;
}

export interface ContractChangeView {
  readonly api: string;
  readonly kind: string;
  readonly breaking: boolean;
  readonly operation?: string;
  readonly location: string;
  readonly message: string;
}

export type RiskLevel = 'low' | 'medium' | 'high';

export interface ImpactReport {
  /** The base revision (`abc123...`), or what the base is (`HEAD`). */
  readonly base: string;
  readonly head: string;
  /** The change in words: the markdown report's first line. */
  readonly summary: string;
  readonly gateways: readonly GatewayImpact[];
  readonly lint: { readonly introduced: readonly LintChange[]; readonly fixed: readonly LintChange[] };
  /** Null without usage data (`--usage`). */
  readonly consumers: readonly ConsumerImpact[] | null;
  readonly contracts: readonly ContractChangeView[];
  readonly risk: { readonly level: RiskLevel; readonly reason: string };
}
