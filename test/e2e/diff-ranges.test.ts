import { symlink } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup } from '../helpers/gateway-fixtures.js';
import {
  checked,
  createScenario,
  DEPLOY,
  diff,
  diffJson,
  EXTRA_API,
  FILES,
  gatewayOf,
  limit,
  remove,
  Repo,
  route,
  snapshot,
  type GatewayJson,
  type RateLimitJson,
  type ReportJson,
  type Scenario,
} from './diff-fixtures.js';

// Issue 5: each range form of `gitgate diff` (A...B, A..B, A, A.., nothing), --path from a
// subfolder, --include/--exclude, and the working tree as the head (unstaged, staged and
// untracked files), on real git repositories. Every run checks that the repository's status,
// index bytes, worktree files, HEAD and refs are exactly what they were before.

// Each run of the CLI is a Node process (~0.5 s, more on a busy machine); some tests make ten.
vi.setConfig({ testTimeout: 60_000 });

let s: Scenario;

beforeAll(async () => {
  s = await createScenario('diff-ranges');
}, 60_000);

afterAll(cleanup);

const support = (from: number, to: number): RateLimitJson[] =>
  ['apps/flight-api', 'apps/tickets-api'].map((api) => ({ group: 'support', api, before: limit('support-ratelimit', from, '1m'), after: limit('support-ratelimit', to, '1m') }));
/** What main did after the fork: public-time leaves the gateway, so any consumer loses time-api (admins keep it). */
const publicTimeRevoked = { group: '*', api: 'apps/time-api', operations: ['*'] };

async function run(args: string[], options: { cwd?: string } = {}): Promise<{ report: ReportJson; g: GatewayJson }> {
  const result = await diffJson(s.repo, ['--path', DEPLOY, ...args], options);
  expect(result.code, result.stderr).toBe(0);
  const g = result.report.gateways.find((x) => x.name === 'api-gateway') ?? emptyGateway();
  return { report: result.report, g };
}

function emptyGateway(): GatewayJson {
  return { name: 'api-gateway', routes: { added: [], removed: [], changed: [] }, access: { granted: [], revoked: [] }, rateLimits: [], apis: { added: [], removed: [], changed: [] } };
}

describe('ranges', () => {
  it('A...B compares the merge base of A and B with B: what main did after the fork is not in the report', async () => {
    const { report, g } = await run(['main...feature']);
    expect(report.base).toBe(s.bothFolders);
    expect(report.head).toBe(s.feature);
    expect(g.rateLimits).toEqual(support(12, 20));
    expect(g.access).toEqual({ granted: [], revoked: [] });
  });

  it('A...B the other way round shows only what main did after the fork', async () => {
    const { report, g } = await run(['feature...main']);
    expect(report.base).toBe(s.bothFolders);
    expect(report.head).toBe(s.mainAfterFork);
    expect(g.access).toEqual({ granted: [], revoked: [publicTimeRevoked] });
    expect(g.rateLimits).toEqual([]);
  });

  it('A...B accepts commit shas and other revision syntax', async () => {
    const { report, g } = await run([`${s.mainAfterFork.slice(0, 10)}...feature~0`]);
    expect([report.base, report.head]).toEqual([s.bothFolders, s.feature]);
    expect(g.rateLimits).toEqual(support(12, 20));
  });

  it('A..B compares A with B directly: both sides of the fork appear', async () => {
    const { report, g } = await run(['main..feature']);
    expect(report.base).toBe(s.mainAfterFork);
    expect(report.head).toBe(s.feature);
    expect(g.rateLimits).toEqual(support(12, 20));
    expect(g.access).toEqual({ granted: [publicTimeRevoked], revoked: [] });
  });

  it('A compares A with HEAD', async () => {
    expect(await s.repo.git('rev-parse', 'HEAD')).toBe(s.mainAfterFork);
    const { report, g } = await run([s.bothFolders]);
    expect([report.base, report.head]).toEqual([s.bothFolders, s.mainAfterFork]);
    expect(g.access.revoked).toEqual([publicTimeRevoked]);
    expect(g.rateLimits).toEqual([]);
    // Two commits back: the support change (15 → 12) is included too.
    const older = await run(['HEAD~2']);
    expect([older.report.base, older.report.head]).toEqual([s.twoFiles, s.mainAfterFork]);
    expect(older.g.rateLimits).toEqual(support(15, 12));
    expect(older.g.access.revoked).toEqual([publicTimeRevoked]);
  });

  it('A.. is A to HEAD, and ..B is HEAD to B', async () => {
    const to = await run([`${s.bothFolders}..`]);
    expect([to.report.base, to.report.head]).toEqual([s.bothFolders, s.mainAfterFork]);
    const from = await run([`..${s.bothFolders}`]);
    expect([from.report.base, from.report.head]).toEqual([s.mainAfterFork, s.bothFolders]);
    expect(from.g.access).toEqual({ granted: [publicTimeRevoked], revoked: [] });
  });

  it('A..A reports no change', async () => {
    const { report } = await run(['main..main']);
    expect(report.gateways).toEqual([]);
    expect(report.summary).toBe('This change does not change what the gateways serve.');
  });
});

describe('--path is relative to the repository root, wherever the command runs', () => {
  const range = () => `${s.twoFiles}..${s.bothFolders}`;

  it('from a subfolder, --path deploy reads deploy/ (the airlines gateway only)', async () => {
    for (const cwd of [s.repo.path('deploy/apps/flights'), s.repo.path('staging'), s.repo.dir]) {
      for (const path of [DEPLOY, `./${DEPLOY}/`]) {
        const run = await diffJson(s.repo, ['--path', path, range()], { cwd });
        expect(run.code).toBe(0);
        expect(run.report.gateways.map((g) => g.name)).toEqual(['api-gateway']);
        expect(gatewayOf(run.report).rateLimits).toEqual(support(15, 12));
      }
    }
  });

  it('from a subfolder, --path staging reads staging/ (the staging gateway only)', async () => {
    const run = await diffJson(s.repo, ['--path', 'staging', range()], { cwd: s.repo.path('deploy/apps') });
    expect(run.code).toBe(0);
    expect(run.report.gateways.map((g) => g.name)).toEqual(['staging-gateway']);
    expect(gatewayOf(run.report, 'staging-gateway').routes).toEqual({
      added: [route('/health', 'staging/status-api')],
      removed: [route('/status', 'staging/status-api')],
      changed: [],
    });
  });

  it('without --path, from a subfolder, the whole repository is read (both gateways), not the subfolder', async () => {
    const run = await diffJson(s.repo, [range()], { cwd: s.repo.path('deploy/apps/flights') });
    expect(run.code).toBe(0);
    expect(run.report.gateways.map((g) => g.name)).toEqual(['api-gateway', 'staging-gateway']);
  });

  it('lint findings name their file from the repository root, with or without --path', async () => {
    for (const args of [[], ['--path', DEPLOY], ['--path', `${DEPLOY}/apps`]]) {
      const run = await diffJson(s.repo, [...args, `${s.renameSamePath}..${s.breakRef}`], { cwd: s.repo.path('staging') });
      expect(new Set(run.report.lint.introduced.map((d) => d.file))).toEqual(new Set([FILES.access]));
    }
  });

  it('the working tree as the head is read from the repository root too', async () => {
    const run = await diffJson(s.repo, ['--path', 'staging'], { cwd: s.repo.path('deploy/apps/flights') });
    expect(run.code).toBe(0);
    expect(run.report.head).toBe('working tree');
    expect(run.report.gateways).toEqual([]);
  });
});

describe('--include and --exclude (globs relative to --path)', () => {
  // twoFiles moves ticket-api (apps/tickets/) to /ticketing and flight-api (apps/flights/) to /flight-ops.
  const range = () => `${s.version}..${s.twoFiles}`;
  const moved = (report: ReportJson) => {
    const g = gatewayOf(report);
    return { added: g.routes.added.map((r) => r.pathPrefix), removed: g.routes.removed.map((r) => r.pathPrefix) };
  };

  it('with neither, both moves are reported', async () => {
    const run = await diffJson(s.repo, ['--path', DEPLOY, range()]);
    expect(moved(run.report)).toEqual({ added: ['/flight-ops', '/ticketing'], removed: ['/flights', '/tickets'] });
  });

  it('--exclude leaves the matching files out of both sides', async () => {
    const run = await diffJson(s.repo, ['--path', DEPLOY, '--exclude', 'apps/tickets/**', range()]);
    expect(run.code).toBe(0);
    expect(moved(run.report)).toEqual({ added: ['/flight-ops'], removed: ['/flights'] });
    expect(JSON.stringify(run.report)).not.toContain('tickets-api');
  });

  it('--include (repeatable) reads only the matching files', async () => {
    const run = await diffJson(s.repo, ['--path', DEPLOY, '--include', 'apps/flights/**', '--include', 'apps/api-*.yaml', range()]);
    expect(run.code).toBe(0);
    expect(moved(run.report)).toEqual({ added: ['/flight-ops'], removed: ['/flights'] });
  });

  it('--include and --exclude together: included, then not excluded', async () => {
    const run = await diffJson(s.repo, ['--path', DEPLOY, '--include', 'apps/**', '--exclude', 'apps/flights/*', '--exclude', 'apps/employee/*', range()]);
    expect(moved(run.report)).toEqual({ added: ['/ticketing'], removed: ['/tickets'] });
  });
});

describe('no range: HEAD to the working tree', () => {
  let work: Repo;

  beforeAll(async () => {
    work = await Repo.clone(s.repo, 'diff-worktree');
    // Staged: the partner-bookings access leaves the gateway.
    await work.replace(FILES.gateway, '    - partner-bookings\n', '');
    await work.git('add', FILES.gateway);
    // Unstaged: the support limit goes down.
    await work.replace(FILES.rateLimits, 'limit: 12\n', 'limit: 3\n');
    // Untracked: a new API every admin may call.
    await work.write(`${DEPLOY}/apps/baggage/api.yaml`, EXTRA_API);
  }, 30_000);

  it('includes the staged edit, the unstaged edit and the untracked file', async () => {
    const status = await work.git('status', '--porcelain');
    expect(status.split('\n').sort()).toEqual([` M ${FILES.rateLimits}`, `?? ${DEPLOY}/apps/baggage/`, `M  ${FILES.gateway}`].sort());
    const run = await diffJson(work, ['--path', DEPLOY]);
    expect(run.code).toBe(0);
    expect(run.report.base).toBe(s.mainAfterFork);
    expect(run.report.head).toBe('working tree');
    const g = gatewayOf(run.report);
    // Untracked file: a new API, its route and the admins' access to it.
    expect(g.apis.added).toEqual(['apps/baggage-api']);
    expect(g.routes.added).toEqual([route('/baggage', 'apps/baggage-api')]);
    expect(g.access.granted).toEqual([{ group: 'admin', api: 'apps/baggage-api', operations: ['*'] }]);
    // Staged edit: partners lose flights.
    expect(g.access.revoked).toEqual([{ group: 'partner', api: 'apps/flight-api', operations: ['bookings', 'read-only'] }]);
    // Unstaged edit: the support limit 12 → 3.
    expect(g.rateLimits).toEqual(support(12, 3));
  });

  it('--exclude applies to the working tree too', async () => {
    const run = await diffJson(work, ['--path', DEPLOY, '--exclude', 'apps/baggage/**']);
    const g = gatewayOf(run.report);
    expect(g.apis.added).toEqual([]);
    expect(g.routes.added).toEqual([]);
  });

  it('does not read files git ignores (they are not part of the working tree git would commit)', async () => {
    const ignoring = await Repo.clone(s.repo, 'diff-ignored');
    await ignoring.write('.gitignore', '*.local.yaml\n');
    await ignoring.commit('ignore local overrides');
    await ignoring.write(`${DEPLOY}/apps/extra.local.yaml`, EXTRA_API);
    expect(await ignoring.git('status', '--porcelain')).toBe('');
    const run = await diffJson(ignoring, ['--path', DEPLOY]);
    expect(run.report.gateways).toEqual([]);
  });

  it('with nothing changed, the working tree reads exactly as HEAD, a committed symbolic link included', async () => {
    const linked = await Repo.clone(s.repo, 'diff-symlink');
    const target = `${DEPLOY}/shared/baggage.yaml`;
    await linked.write(target, EXTRA_API);
    await symlink('../shared/baggage.yaml', linked.path(`${DEPLOY}/apps/baggage.yaml`));
    await linked.commit('a resource file shared through a symbolic link');
    expect(await linked.git('status', '--porcelain')).toBe('');
    const run = await diffJson(linked, ['--path', DEPLOY]);
    expect(run.report.gateways).toEqual([]);
    expect(run.report.lint).toEqual({ introduced: [], fixed: [] });
    expect(run.code).toBe(0);
  });

  it('an unstaged deletion removes what the file declared', async () => {
    const deleting = await Repo.clone(s.repo, 'diff-deleted');
    await remove(deleting, FILES.staging);
    expect(await deleting.git('status', '--porcelain')).toBe(` D ${FILES.staging}`);
    const run = await diffJson(deleting, []);
    const g = gatewayOf(run.report, 'staging-gateway');
    expect(g.routes.removed).toEqual([route('/health', 'staging/status-api')]);
    expect(g.apis.removed).toEqual(['staging/status-api']);
  });
});

describe('the diff never changes the working tree or the index', () => {
  it('with staged, unstaged and untracked changes, every range form leaves status, index bytes and files as they were', async () => {
    const dirty = await Repo.clone(s.repo, 'diff-dirty');
    await dirty.git('checkout', '--quiet', 'feature');
    await dirty.git('checkout', '--quiet', 'main');
    await dirty.replace(FILES.gateway, '    - admins\n', '');
    await dirty.git('add', FILES.gateway);
    await dirty.replace(FILES.gateway, '    - partner-bookings\n', ''); // staged and unstaged in one file
    await dirty.replace(FILES.customers, 'release: 1.0.0', 'release: 1.0.1');
    await dirty.write(`${DEPLOY}/apps/baggage/api.yaml`, EXTRA_API);
    await dirty.write('notes.txt', 'not YAML\n');
    const before = await snapshot(dirty.dir);
    expect(before.status).toMatch(/^1 MM /m);
    expect(before.status).toMatch(/^\? /m);
    const runs: string[][] = [
      [],
      ['--path', DEPLOY],
      ['--path', DEPLOY, 'main...feature'],
      ['--path', DEPLOY, 'main..feature'],
      ['--path', DEPLOY, 'HEAD~3'],
      ['--path', DEPLOY, '--format', 'markdown', 'feature...main'],
      ['--path', DEPLOY, '--format', 'text', '--fail-on', 'access-revoked', 'HEAD~9..HEAD'],
      ['--path', 'nope', 'HEAD~1..HEAD'],
      ['not-a-revision'],
    ];
    for (const args of runs) {
      await diff(dirty, args, { cwd: dirty.path(`${DEPLOY}/apps`) }); // asserts the snapshot after each run
    }
    expect(await snapshot(dirty.dir)).toEqual(before);
  });

  it('every run in this file was checked', () => {
    expect(checked.runs).toBeGreaterThanOrEqual(30);
  });
});
