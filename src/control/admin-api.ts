import type { IncomingMessage } from 'node:http';
import type { AdminRoute } from './admin-server.js';
import { readJson, sendError, sendJson } from '../portal/index.js';
import type { Reconciler } from './reconciler.js';
import type { GitSource } from './git/git-source.js';
import type { DeploymentRepository, Store, UsageRepository } from '../store/index.js';
import { IDENTITY_ERRORS, IdentityService, validateIdentity } from '../identity/index.js';
import { createInvitation } from '../portal/index.js';
import type { GatewayProcess } from './gateway-workers.js';
import { hourOf, SECONDS_RETENTION_S, USAGE_RETENTION_DAYS } from './usage-recorder.js';

export interface AdminApiContext {
  readonly reconciler: Reconciler;
  readonly store: Store;
  readonly deployments: DeploymentRepository;
  readonly usage: UsageRepository;
  readonly git: GitSource | undefined;
  readonly gateways: () => readonly GatewayProcess[];
  readonly version: string;
}

const MAX_PAGE = 200;

/** The control plane's `/api/v1` endpoints (behind the admin token). */
export function adminApiRoutes(ctx: AdminApiContext): AdminRoute[] {
  const { reconciler } = ctx;
  const identity = new IdentityService(ctx.store.identity);
  const groupsOf = (value: unknown): string[] | undefined => (Array.isArray(value) && value.every((g) => typeof g === 'string') ? (value as string[]) : undefined);
  return [
    // Consumers: an administrator assigns groups; portal accounts are made by sign-up or here.
    { method: 'GET', path: '/api/v1/users', handler: async (_req, res) => sendJson(res, 200, { items: await identity.listUsers() }) },
    {
      method: 'POST',
      path: '/api/v1/users',
      handler: async (req, res) => {
        const body = await readJson(req);
        const { email, groups } = (body.ok ? (body.value ?? {}) : {}) as { email?: unknown; groups?: unknown };
        const list = groupsOf(groups ?? []);
        if (typeof email !== 'string' || list === undefined) return sendError(res, 400, 'ERR_CONTROL_BAD_BODY', 'send {"email", "groups": [..]}');
        const result = await identity.addUser(email, list);
        if (!result.ok) return sendError(res, IDENTITY_ERRORS[result.code].status, result.code, result.message);
        sendJson(res, 201, await identity.findUser(email));
      },
    },
    {
      method: 'PUT',
      path: '/api/v1/users/:email/groups',
      handler: async (req, res, params) => {
        const body = await readJson(req);
        const list = groupsOf(((body.ok ? (body.value ?? {}) : {}) as { groups?: unknown }).groups);
        if (list === undefined) return sendError(res, 400, 'ERR_CONTROL_BAD_BODY', 'send {"groups": [..]}');
        const result = await identity.setGroups(params.email!, list);
        if (!result.ok) return sendError(res, IDENTITY_ERRORS[result.code].status, result.code, result.message);
        sendJson(res, 200, await identity.findUser(params.email!));
      },
    },
    {
      method: 'POST',
      path: '/api/v1/invitations',
      handler: async (req, res) => {
        const body = await readJson(req);
        const { email, groups } = (body.ok ? (body.value ?? {}) : {}) as { email?: unknown; groups?: unknown };
        const list = groupsOf(groups ?? []);
        if (typeof email !== 'string' || list === undefined) return sendError(res, 400, 'ERR_CONTROL_BAD_BODY', 'send {"email", "groups": [..]}');
        const invalid = validateIdentity(email, list);
        if (invalid !== undefined && !invalid.ok) return sendError(res, IDENTITY_ERRORS[invalid.code].status, invalid.code, invalid.message);
        // The token is in this answer only: it is stored as a hash.
        sendJson(res, 201, { email: email.trim().toLowerCase(), groups: list, invitation: await createInvitation(ctx.store, email, list) });
      },
    },
    { method: 'GET', path: '/api/v1/status', handler: (_req, res) => sendJson(res, 200, { version: ctx.version, ...reconciler.status() }) },
    {
      method: 'GET',
      path: '/api/v1/deployments',
      handler: async (req, res) => {
        const url = new URL(req.url ?? '/', 'http://admin.invalid');
        const limit = clampInt(url.searchParams.get('limit'), 20, 1, MAX_PAGE);
        const page = clampInt(url.searchParams.get('page'), 1, 1, 1_000_000);
        const { total, items } = await ctx.deployments.list({ offset: (page - 1) * limit, limit });
        sendJson(res, 200, { page, limit, total, items });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/deployments/:id',
      handler: async (_req, res, params) => {
        const id = Number(params.id);
        const record = Number.isInteger(id) && id > 0 ? await ctx.deployments.get(id) : undefined;
        if (record === undefined) return sendError(res, 404, 'ERR_CONTROL_NOT_FOUND', `no deployment ${params.id}`);
        sendJson(res, 200, record);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/resources',
      handler: async (_req, res) => {
        const resources = await reconciler.resources();
        sendJson(res, 200, resources === undefined ? { revision: null, items: [], diagnostics: [] } : resources);
      },
    },
    { method: 'GET', path: '/api/v1/gateways', handler: (_req, res) => sendJson(res, 200, { items: ctx.gateways().map((g) => ({ ...g, version: ctx.version })) }) },
    {
      method: 'POST',
      path: '/api/v1/sync',
      handler: async (_req, res) => {
        const outcome = await reconciler.sync('sync');
        sendJson(res, 200, { result: outcome.result, revision: outcome.revision, deployment: outcome.deployment?.id ?? null, status: reconciler.status() });
      },
    },
    {
      method: 'POST',
      path: '/api/v1/reload',
      handler: async (_req, res) => {
        const outcome = await reconciler.sync('reload');
        const diagnostics = outcome.deployment?.diagnostics ?? (await reconciler.resources())?.diagnostics ?? [];
        const status = outcome.result === 'rejected' ? 422 : outcome.result === 'unreachable' ? 503 : 200;
        sendJson(res, status, { result: outcome.result, revision: outcome.revision, deployment: outcome.deployment?.id ?? null, diagnostics });
      },
    },
    {
      method: 'POST',
      path: '/api/v1/pin',
      handler: async (req, res) => {
        const body = await jsonBody(req);
        if (!body.ok) return sendError(res, 400, 'ERR_CONTROL_BAD_BODY', body.message);
        const revision = (body.value as { revision?: unknown } | undefined)?.revision;
        if (typeof revision !== 'string' || !/^[0-9a-f]{4,64}$/i.test(revision)) {
          return sendError(res, 400, 'ERR_CONTROL_BAD_BODY', 'send {"revision": "<commit sha>"}');
        }
        const full = ctx.git === undefined ? revision : await ctx.git.resolve(revision).catch(() => revision);
        const result = await reconciler.pin(full);
        if (!result.ok) return sendError(res, result.status, result.code, result.message);
        sendJson(res, 200, reconciler.status());
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/pin',
      handler: async (_req, res) => {
        await reconciler.unpin();
        sendJson(res, 200, reconciler.status());
      },
    },
    {
      method: 'POST',
      path: '/api/v1/rollback',
      handler: async (req, res) => {
        const body = await jsonBody(req);
        if (!body.ok) return sendError(res, 400, 'ERR_CONTROL_BAD_BODY', body.message);
        const to = (body.value as { to?: unknown } | undefined)?.to;
        if (to !== undefined && (typeof to !== 'string' || !/^[0-9a-f]{4,64}$/i.test(to))) {
          return sendError(res, 400, 'ERR_CONTROL_BAD_BODY', 'send {} or {"to": "<commit sha>"}');
        }
        const git = ctx.git;
        const target = to === undefined || git === undefined ? to : await git.resolve(to).catch(() => to);
        const outcome = await reconciler.rollback(
          target,
          async (t, head) => {
            // Commits must be signed and gitgate has no key: pin rather than push an unsigned commit.
            if (git!.requiresSignatures) throw new Error('commits must be signed and gitgate cannot sign its revert commit');
            return git!.revertTo(t, head, `Roll back to ${t.slice(0, 12)}\n\nReverts every commit after ${t} (gitgate rollback).`);
          },
          (sha) => git!.publish(sha),
        );
        if (!outcome.ok) return sendError(res, outcome.status, outcome.code, outcome.message);
        sendJson(res, 200, outcome);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/usage',
      handler: async (req, res) => {
        const url = new URL(req.url ?? '/', 'http://admin.invalid');
        const from = url.searchParams.get('from') ?? hourOf(Date.now() - USAGE_RETENTION_DAYS * 86_400_000);
        if (Number.isNaN(Date.parse(from))) return sendError(res, 400, 'ERR_CONTROL_BAD_QUERY', 'from must be an ISO-8601 time');
        const api = url.searchParams.get('api') ?? undefined;
        const rows = await ctx.usage.query({ from: hourOf(Date.parse(from)), ...(api === undefined ? {} : { api }) });
        // `seconds=1` adds the per-second counts of the last day, which `gitgate diff --usage`
        // replays through a lower rate limit.
        const seconds =
          url.searchParams.get('seconds') === '1'
            ? await ctx.usage.querySeconds({ from: Math.max(Math.floor(Date.parse(from) / 1000), Math.floor(Date.now() / 1000) - SECONDS_RETENTION_S), ...(api === undefined ? {} : { api }) })
            : undefined;
        sendJson(res, 200, { from: hourOf(Date.parse(from)), items: rows, ...(seconds === undefined ? {} : { seconds }) });
      },
    },
  ];
}

async function jsonBody(req: IncomingMessage) {
  return readJson(req);
}

function clampInt(text: string | null, fallback: number, min: number, max: number): number {
  const n = text === null ? fallback : Number(text);
  return Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

