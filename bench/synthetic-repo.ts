import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A deterministic synthetic GitOps repository for the benchmarks (lint, diff, reconcile,
 * gateway). It has the shape of a real multi-team repository: one folder per namespace with
 * one file per API (API + Service + EndpointSlice, or a versioned API with 2-3 APIVersions and
 * their Services), the team's collection, accesses and rate limit beside them, and a
 * `platform/` folder with the gateways, portals, domain collections, shared accesses and rate
 * limits. Everything is derived from indexes: the same options always give the same bytes.
 *
 * The repository lints with no error and no warning: every API is exposed by a gateway, every
 * collection, access and rate limit resolves to APIs, operation filters name operation sets
 * the selected APIs define, and no two routes of one gateway collide.
 */
export interface SyntheticRepoOptions {
  /** Number of APIs (at least 1). */
  readonly apis: number;
  /** APIs per namespace; the namespace count is `round(apis / apisPerNamespace)`. Default 50. */
  readonly apisPerNamespace?: number;
}

export interface SyntheticRepo {
  /** YAML files written. */
  readonly files: number;
  /** Documents with an `apiVersion` and a `kind` (what `gitgate lint` counts as resources). */
  readonly resources: number;
  readonly apis: number;
  readonly namespaces: number;
  /** Bytes of YAML written. */
  readonly bytes: number;
  readonly byKind: Readonly<Record<string, number>>;
}

/** Kept beside the generated files so a rerun may clear the folder, and only that folder. */
const MARKER = '.gitgate-synthetic-repo.json';
const HUB = 'hub.traefik.io/v1alpha1';
const DOMAINS = ['payments', 'catalog', 'orders', 'shipping', 'identity', 'billing', 'search', 'inventory', 'reviews', 'notifications'];
const TIERS = ['public', 'partner', 'internal'] as const;
const GATEWAYS = [
  { name: 'internal', domain: 'internal.api.example.com', portal: 'internal-portal', title: 'Internal APIs' },
  { name: 'partners', domain: 'partners.api.example.com', portal: 'partner-portal', title: 'Partner APIs' },
  { name: 'public', domain: 'api.example.com', portal: 'developer-portal', title: 'Public APIs' },
] as const;

interface ApiPlan {
  /** Global index, 0-based. */
  readonly index: number;
  /** Index inside its namespace. */
  readonly local: number;
  readonly namespace: string;
  readonly domain: string;
  readonly tier: (typeof TIERS)[number];
  /** Base name: the Service name of an unversioned API, the prefix of a versioned API's names. */
  readonly base: string;
  readonly name: string;
  readonly pathPrefix: string;
  /** 0 for an unversioned API, else 2 or 3 APIVersions. */
  readonly versions: number;
}

/**
 * Writes the repository into `dir`, which must be missing, empty, or a folder this function
 * generated before (it is then cleared first).
 */
export async function generateSyntheticRepo(dir: string, options: SyntheticRepoOptions): Promise<SyntheticRepo> {
  const apiCount = Math.floor(options.apis);
  const perNamespace = Math.floor(options.apisPerNamespace ?? 50);
  if (!(apiCount >= 1)) throw new RangeError(`apis must be at least 1, not ${options.apis}`);
  if (!(perNamespace >= 1)) throw new RangeError(`apisPerNamespace must be at least 1, not ${String(options.apisPerNamespace)}`);
  await prepare(dir);

  const out = new RepoWriter();
  const namespaceCount = Math.max(1, Math.round(apiCount / perNamespace));
  const byNamespace: ApiPlan[][] = Array.from({ length: namespaceCount }, () => []);
  // Round-robin over namespaces so they differ in size by at most one API.
  for (let index = 0; index < apiCount; index++) {
    const ns = index % namespaceCount;
    const local = Math.floor(index / namespaceCount);
    const namespace = `team-${pad(ns, 3)}`;
    // Every team owns APIs in several domains, and every domain spans the teams.
    const domain = DOMAINS[(local + ns) % DOMAINS.length]!;
    const base = `${domain}-${pad(local, 3)}`;
    const versions = local % 5 === 4 ? 2 + (local % 2) : 0;
    byNamespace[ns]!.push({
      index,
      local,
      namespace,
      domain,
      tier: TIERS[local % TIERS.length]!,
      base,
      name: `${base}-api`,
      pathPrefix: `/${namespace}/${base}`,
      versions,
    });
  }
  const all = byNamespace.flat();

  for (const apis of byNamespace) {
    const namespace = apis[0]!.namespace;
    const folder = `teams/${namespace}`;
    out.file(`${folder}/namespace.yaml`, [namespaceDocument(namespace)]);
    for (const api of apis) out.file(`${folder}/apis/${api.base}.yaml`, apiDocuments(api));
    out.file(`${folder}/access.yaml`, teamDocuments(namespace, apis));
    out.file(
      `${folder}/kustomization.yaml`,
      [kustomization(['namespace.yaml', 'access.yaml', ...apis.map((api) => `apis/${api.base}.yaml`)])],
    );
  }
  platform(out, all, byNamespace);

  await out.flush(dir);
  await writeFile(path.join(dir, MARKER), `${JSON.stringify({ generator: 'gitgate bench/synthetic-repo.ts', apis: apiCount, apisPerNamespace: perNamespace })}\n`);
  return {
    files: out.files.length,
    resources: out.resources,
    apis: apiCount,
    namespaces: namespaceCount,
    bytes: out.bytes,
    byKind: Object.fromEntries([...out.byKind].sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

/** A YAML document and the kind it declares (for the counts). */
interface Doc {
  readonly kind: string;
  readonly text: string;
}

class RepoWriter {
  readonly files: { path: string; text: string }[] = [];
  readonly byKind = new Map<string, number>();
  resources = 0;
  bytes = 0;

  file(relative: string, docs: readonly Doc[]): void {
    for (const doc of docs) {
      this.resources++;
      this.byKind.set(doc.kind, (this.byKind.get(doc.kind) ?? 0) + 1);
    }
    const text = `# Generated by gitgate's bench/synthetic-repo.ts: do not edit.\n${docs.map((doc) => doc.text).join('---\n')}`;
    this.bytes += Buffer.byteLength(text);
    this.files.push({ path: relative, text });
  }

  async flush(dir: string): Promise<void> {
    const folders = new Set(this.files.map((file) => path.dirname(path.join(dir, file.path))));
    for (const folder of [...folders].sort()) await mkdir(folder, { recursive: true });
    // Bounded parallelism: fast on 10,000+ files without exhausting file descriptors.
    let next = 0;
    const worker = async () => {
      while (next < this.files.length) {
        const file = this.files[next++]!;
        await writeFile(path.join(dir, file.path), file.text);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
  }
}

async function prepare(dir: string): Promise<void> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length > 0) {
    const marker = await readFile(path.join(dir, MARKER), 'utf8').catch(() => undefined);
    if (marker === undefined) throw new Error(`${dir} is not empty and was not generated by generateSyntheticRepo: refusing to clear it`);
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function doc(kind: string, text: string): Doc {
  return { kind, text };
}

function namespaceDocument(namespace: string): Doc {
  return doc(
    'Namespace',
    `apiVersion: v1
kind: Namespace
metadata:
  name: ${namespace}
  labels:
    team: ${namespace}
`,
  );
}

function kustomization(resources: readonly string[]): Doc {
  return doc(
    'Kustomization',
    `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
${resources.map((file) => `  - ${file}`).join('\n')}
`,
  );
}

function apiDocuments(api: ApiPlan): Doc[] {
  if (api.versions === 0) {
    return [unversionedApi(api), service(api, api.base), endpointSlice(api, api.base, 0)];
  }
  const docs: Doc[] = [versionedApi(api)];
  for (let v = 1; v <= api.versions; v++) {
    const name = `${api.base}-v${v}`;
    docs.push(apiVersion(api, v), service(api, name), endpointSlice(api, name, v));
  }
  return docs;
}

function labels(api: ApiPlan, indent: string): string {
  return `${indent}team: ${api.namespace}
${indent}domain: ${api.domain}
${indent}tier: ${api.tier}
${indent}app.kubernetes.io/part-of: ${api.domain}`;
}

/** Every API and version defines `read-only`; even ones add `write`, every seventh `bookings`. */
function operationSets(api: ApiPlan, prefix: string, indent: string): string {
  let out = `${indent}operationSets:
${indent}  - name: read-only
${indent}    matchers:
${indent}      - pathPrefix: ${prefix}
${indent}        methods: [GET, HEAD]
`;
  if (api.local % 2 === 0) {
    out += `${indent}  - name: write
${indent}    matchers:
${indent}      - pathPrefix: ${prefix}/items
${indent}        methods: [POST, PUT, PATCH, DELETE]
`;
  }
  if (api.local % 7 === 0) {
    out += `${indent}  - name: bookings
${indent}    matchers:
${indent}      - pathRegex: '^${prefix}/items/[0-9]+/bookings$'
${indent}        methods: [POST]
${indent}      - path: ${prefix}/bookings
`;
  }
  return out;
}

function servicePort(api: ApiPlan, indent: string): string {
  return api.local % 2 === 0 ? `${indent}port:\n${indent}  name: http\n` : `${indent}port:\n${indent}  number: 8080\n`;
}

function unversionedApi(api: ApiPlan): Doc {
  let text = `apiVersion: ${HUB}
kind: API
metadata:
  name: ${api.name}
  namespace: ${api.namespace}
  labels:
${labels(api, '    ')}
spec:
  pathPrefix: ${api.pathPrefix}
  service:
    name: ${api.base}
${servicePort(api, '    ')}    openApiSpec:
      path: /openapi.yaml
${operationSets(api, api.pathPrefix, '      ')}`;
  if (api.local % 4 === 1) {
    text += `  headers:
    request:
      set:
        X-Team: ${api.namespace}
        X-Domain: ${api.domain}
    response:
      delete:
        - X-Powered-By
`;
  }
  if (api.local % 6 === 3) {
    text += `  cors:
    allowCredentials: true
    allowHeaders: [Authorization, Content-Type]
    allowMethods: [GET, POST]
    allowOriginList: ["https://${api.domain}.example.com"]
    allowOriginListRegex: ['^https://[a-z0-9-]+\\.${api.domain}\\.example\\.com$']
    maxAge: 600
`;
  }
  return doc('API', text);
}

function versionedApi(api: ApiPlan): Doc {
  return doc(
    'API',
    `apiVersion: ${HUB}
kind: API
metadata:
  name: ${api.name}
  namespace: ${api.namespace}
  labels:
${labels(api, '    ')}
spec:
  pathPrefix: ${api.pathPrefix}
  currentVersion: ${api.base}-v1
`,
  );
}

/** v1 is the fallback (no routes); v2 is selected by path; v3 by header or query parameter. */
function apiVersion(api: ApiPlan, v: number): Doc {
  let routes = '';
  if (v === 2) routes = '  routes:\n    - pathPrefix: /v2\n  stripPathPrefix: true\n';
  if (v === 3) {
    routes = api.local % 4 === 1 ? '  routes:\n    - headers:\n        X-Api-Version: "3"\n' : '  routes:\n    - queryParams:\n        version: "3"\n';
  }
  return doc(
    'APIVersion',
    `apiVersion: ${HUB}
kind: APIVersion
metadata:
  name: ${api.base}-v${v}
  namespace: ${api.namespace}
spec:
  apiName: ${api.name}
  title: ${api.domain} ${api.local} v${v}
  release: ${v % 2 === 0 ? 'v' : ''}${v}.${api.local % 3}.0
${routes}  service:
    name: ${api.base}-v${v}
${servicePort(api, '    ')}    openApiSpec:
      path: /openapi.yaml
${operationSets(api, api.pathPrefix, '      ')}`,
  );
}

function service(api: ApiPlan, name: string): Doc {
  return doc(
    'Service',
    `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${api.namespace}
  labels:
    app.kubernetes.io/name: ${name}
    app.kubernetes.io/part-of: ${api.domain}
spec:
  selector:
    app.kubernetes.io/name: ${name}
  ports:
    - name: http
      port: 8080
      targetPort: 8080
      protocol: TCP
`,
  );
}

function endpointSlice(api: ApiPlan, serviceName: string, v: number): Doc {
  return doc(
    'EndpointSlice',
    `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${serviceName}-local
  namespace: ${api.namespace}
  labels:
    kubernetes.io/service-name: ${serviceName}
addressType: IPv4
ports:
  - name: http
    port: ${20000 + ((api.index * 4 + v) % 40000)}
    protocol: TCP
endpoints:
  - addresses: ["127.0.0.1"]
    conditions:
      ready: true
`,
  );
}

/** The team's collection, its own access, the partner access to its public and partner APIs, its rate limit. */
function teamDocuments(namespace: string, apis: readonly ApiPlan[]): Doc[] {
  const docs: Doc[] = [
    doc(
      'APICollection',
      `apiVersion: ${HUB}
kind: APICollection
metadata:
  name: ${namespace}
  labels:
    kind: team
    team: ${namespace}
spec:
  pathPrefix: /c/${namespace}
  apiSelector:
    matchLabels:
      team: ${namespace}
`,
    ),
    doc(
      'APIAccess',
      `apiVersion: ${HUB}
kind: APIAccess
metadata:
  name: ${namespace}
spec:
  groups:
    - ${namespace}
    - ${namespace}-oncall
  apiCollectionSelector:
    matchLabels:
      kind: team
      team: ${namespace}
`,
    ),
  ];
  const shared = apis.filter((api) => api.tier !== 'internal');
  if (shared.length > 0) {
    // `write` only when a selected API defines it, so the operation-set rule stays quiet.
    const writes = shared.some((api) => api.local % 2 === 0);
    docs.push(
      doc(
        'APIAccess',
        `apiVersion: ${HUB}
kind: APIAccess
metadata:
  name: partner-${namespace}
spec:
  groups:
    - partner
  apiSelector:
    matchLabels:
      team: ${namespace}
    matchExpressions:
      - key: tier
        operator: In
        values: [public, partner]
  apis:
    - name: ${shared[0]!.name}
      namespace: ${namespace}
  operationFilter:
    include:
      - read-only
${writes ? '      - write\n' : ''}`,
      ),
    );
  }
  docs.push(
    doc(
      'APIRateLimit',
      `apiVersion: ${HUB}
kind: APIRateLimit
metadata:
  name: ${namespace}
spec:
  limit: 50
  period: 1s
  groups:
    - ${namespace}
  apiSelector:
    matchLabels:
      team: ${namespace}
`,
    ),
  );
  return docs;
}

function platform(out: RepoWriter, all: readonly ApiPlan[], byNamespace: readonly (readonly ApiPlan[])[]): void {
  const domains = DOMAINS.filter((domain) => all.some((api) => api.domain === domain));
  const teams = byNamespace.map((apis) => apis[0]!.namespace);
  const partnerTeams = byNamespace.filter((apis) => apis.some((api) => api.tier !== 'internal')).map((apis) => apis[0]!.namespace);
  const featured = all.filter((api) => api.tier === 'public').slice(0, 20);
  const hasPublic = featured.length > 0;

  // Domain collections have no pathPrefix: their APIs are served at their own prefix, the same
  // route the admins access grants directly (one route, reached two ways).
  const collections: Doc[] = domains.map((domain) =>
    doc(
      'APICollection',
      `apiVersion: ${HUB}
kind: APICollection
metadata:
  name: domain-${domain}
  labels:
    kind: domain
    domain: ${domain}
spec:
  apiSelector:
    matchLabels:
      domain: ${domain}
`,
    ),
  );
  if (hasPublic) {
    collections.push(
      doc(
        'APICollection',
        `apiVersion: ${HUB}
kind: APICollection
metadata:
  name: featured
  labels:
    kind: showcase
spec:
  pathPrefix: /c/featured
  apis:
${featured.map((api) => `    - name: ${api.name}\n      namespace: ${api.namespace}`).join('\n')}
`,
      ),
    );
  }
  out.file('platform/collections.yaml', collections);

  const accesses: Doc[] = [
    doc(
      'APIAccess',
      `apiVersion: ${HUB}
kind: APIAccess
metadata:
  name: admins
spec:
  groups:
    - admin
    - sre
  apiSelector:
    matchExpressions:
      - key: team
        operator: Exists
`,
    ),
    ...domains.map((domain) =>
      doc(
        'APIAccess',
        `apiVersion: ${HUB}
kind: APIAccess
metadata:
  name: ${domain}-readers
spec:
  groups:
    - ${domain}-readers
  apiCollectionSelector:
    matchLabels:
      kind: domain
      domain: ${domain}
  operationFilter:
    include:
      - read-only
`,
      ),
    ),
  ];
  if (hasPublic) {
    accesses.push(
      doc(
        'APIAccess',
        `apiVersion: ${HUB}
kind: APIAccess
metadata:
  name: public
spec:
  anyGroups: true
  apiSelector:
    matchLabels:
      tier: public
  operationFilter:
    include:
      - read-only
`,
      ),
      doc(
        'APIAccess',
        `apiVersion: ${HUB}
kind: APIAccess
metadata:
  name: featured-partners
spec:
  groups:
    - partner
  apiCollections:
    - name: featured
`,
      ),
    );
  }
  out.file('platform/accesses.yaml', accesses);

  const listed: Record<(typeof GATEWAYS)[number]['name'], string[]> = {
    internal: ['admins', ...domains.map((domain) => `${domain}-readers`), ...teams],
    partners: [...(hasPublic ? ['featured-partners'] : []), ...partnerTeams.map((team) => `partner-${team}`)],
    public: hasPublic ? ['public'] : [],
  };
  const gateways = GATEWAYS.filter((gateway) => listed[gateway.name].length > 0);
  out.file(
    'platform/gateways.yaml',
    gateways.map((gateway) =>
      doc(
        'APIGateway',
        `apiVersion: ${HUB}
kind: APIGateway
metadata:
  name: ${gateway.name}
spec:
  customDomains:
    - ${gateway.domain}
  apiAccesses:
${listed[gateway.name].map((name) => `    - ${name}`).join('\n')}
`,
      ),
    ),
  );
  out.file(
    'platform/portals.yaml',
    gateways.map((gateway) =>
      doc(
        'APIPortal',
        `apiVersion: ${HUB}
kind: APIPortal
metadata:
  name: ${gateway.portal}
spec:
  title: ${gateway.title}
  description: Every API the ${gateway.name} gateway serves.
  apiGateway: ${gateway.name}
  customDomains:
    - portal.${gateway.domain}
  ui:
    logoUrl: https://static.example.com/logo.svg
`,
      ),
    ),
  );

  const limits: Doc[] = [
    doc(
      'APIRateLimit',
      `apiVersion: ${HUB}
kind: APIRateLimit
metadata:
  name: fallback
spec:
  limit: 100
  period: 1m
  anyGroups: true
  apiSelector: {}
`,
    ),
    ...domains.map((domain) =>
      doc(
        'APIRateLimit',
        `apiVersion: ${HUB}
kind: APIRateLimit
metadata:
  name: ${domain}-readers
spec:
  limit: 20
  period: 10s
  strategy: distributed
  groups:
    - ${domain}-readers
  apiSelector:
    matchLabels:
      domain: ${domain}
`,
      ),
    ),
  ];
  if (partnerTeams.length > 0) {
    limits.push(
      doc(
        'APIRateLimit',
        `apiVersion: ${HUB}
kind: APIRateLimit
metadata:
  name: partners
spec:
  limit: 10
  period: 1m30s
  strategy: distributed
  groups:
    - partner
  apiSelector:
    matchExpressions:
      - key: tier
        operator: In
        values: [public, partner]
`,
      ),
    );
  }
  out.file('platform/rate-limits.yaml', limits);
}
