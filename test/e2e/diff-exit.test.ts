import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, refusedPort, tempDir } from '../helpers/gateway-fixtures.js';
import { checked, createScenario, DEPLOY, diff, gitgate, type ReportJson, type Scenario } from './diff-fixtures.js';

// Issue 5: `--fail-on` exit statuses (1 when a listed condition happens, 0 when not) and exit 2,
// with one line on standard error, for usage and git errors.

// Each run of the CLI is a Node process (~0.5 s, more on a busy machine); some tests make ten.
vi.setConfig({ testTimeout: 60_000 });

let s: Scenario;
let orphan = '';

beforeAll(async () => {
  s = await createScenario('diff-exit');
  // A branch with no common ancestor with main, for `A...B` without a merge base.
  await s.repo.git('checkout', '--quiet', '--orphan', 'lonely');
  orphan = await s.repo.commit('unrelated history');
  await s.repo.git('checkout', '--quiet', '--force', 'main');
}, 60_000);

afterAll(cleanup);

type Condition = 'lint-error' | 'access-revoked' | 'route-removed' | 'rate-limit-decreased' | 'api-removed';

/**
 * Per condition: a range where it happens, and one where it does not although other things do
 * (so a condition never fires for another one's reason).
 */
const CASES: readonly { condition: Condition; happens: (s: Scenario) => string; not: (s: Scenario) => string; why: string }[] = [
  { condition: 'lint-error', happens: (x) => `${x.renameSamePath}..${x.breakRef}`, not: (x) => `${x.period}..${x.removeAccess}`, why: 'only a warning (orphan) is introduced' },
  { condition: 'access-revoked', happens: (x) => `${x.period}..${x.removeAccess}`, not: (x) => `${x.fixRef}..${x.version}`, why: 'a route is added' },
  { condition: 'route-removed', happens: (x) => `${x.period}..${x.removeAccess}`, not: (x) => `${x.renameSamePath}..${x.breakRef}`, why: 'access is revoked, no route goes' },
  { condition: 'rate-limit-decreased', happens: (x) => `${x.twoFiles}..${x.bothFolders}`, not: (x) => `${x.base}..${x.period}`, why: 'a period shortened raises the limit' },
  { condition: 'api-removed', happens: (x) => `${x.removeAccess}..${x.rename}`, not: (x) => `${x.period}..${x.removeAccess}`, why: 'routes go, the APIs stay served' },
];

describe.each(CASES)('--fail-on $condition', ({ condition, happens, not, why }) => {
  it('exits 1 when it happens, with the report on stdout and the reason on stderr', async () => {
    const run = await diff(s.repo, ['--path', DEPLOY, '--format', 'json', '--fail-on', condition, happens(s)]);
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as ReportJson).gateways.length + (JSON.parse(run.stdout) as ReportJson).lint.introduced.length).toBeGreaterThan(0);
    expect(run.stderr).toBe(`gitgate diff: ${condition} (--fail-on ${condition})\n`);
  });

  it(`exits 0 when it does not (${why})`, async () => {
    const run = await diff(s.repo, ['--path', DEPLOY, '--format', 'json', '--fail-on', condition, not(s)]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as ReportJson).gateways.length + (JSON.parse(run.stdout) as ReportJson).lint.introduced.length).toBeGreaterThan(0);
  });
});

describe('--fail-on lists', () => {
  it('takes a comma list (spaces allowed) and names every condition that happened', async () => {
    const run = await diff(s.repo, ['--path', DEPLOY, '--format', 'text', '--fail-on', 'api-removed, access-revoked,route-removed,lint-error', `${s.period}..${s.removeAccess}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('gitgate diff: access-revoked, route-removed (--fail-on api-removed,access-revoked,route-removed,lint-error)\n');
  });

  it('defaults to lint-error: a lint error fails, a revoked access does not', async () => {
    expect((await diff(s.repo, ['--path', DEPLOY, `${s.renameSamePath}..${s.breakRef}`])).code).toBe(1);
    expect((await diff(s.repo, ['--path', DEPLOY, `${s.period}..${s.removeAccess}`])).code).toBe(0);
  });

  it('an empty list fails on nothing', async () => {
    const run = await diff(s.repo, ['--path', DEPLOY, '--fail-on', '', `${s.renameSamePath}..${s.breakRef}`]);
    expect(run.code).toBe(0);
  });

  it('with --output, the report goes to the file and stdout stays empty; the exit status is the same', async () => {
    const out = path.join(await tempDir('diff-output'), 'report.json');
    const run = await diff(s.repo, ['--path', DEPLOY, '--format', 'json', '--output', out, '--fail-on', 'route-removed', `${s.period}..${s.removeAccess}`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`wrote the json report to ${out}`);
    expect((JSON.parse(await readFile(out, 'utf8')) as ReportJson).head).toBe(s.removeAccess);
  });
});

/** Exit 2, nothing on stdout, exactly one line on stderr that names the problem. */
function expectUsageError(run: { code: number | null; stdout: string; stderr: string }, mentions: RegExp): void {
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^gitgate: [^\n]+\n$/);
  expect(run.stderr).toMatch(mentions);
  expect(run.code).toBe(2);
}

describe('exit 2 with a one-line message', () => {
  it.each([['nope'], ['lint-error,nope'], ['route_removed']])('an unknown --fail-on condition (%s)', async (list) => {
    const run = await diff(s.repo, ['--path', DEPLOY, '--fail-on', list, `${s.base}..${s.period}`]);
    expectUsageError(run, new RegExp(`${list.split(',').pop()!}.*lint-error, access-revoked, route-removed, rate-limit-decreased, api-removed`));
  });

  it.each([['nope'], ['nope..HEAD'], ['HEAD..nope'], ['nope...main'], ['main...nope'], ['HEAD~99'], ['0000000000000000000000000000000000000000'], ['main....feature']])(
    'a range git cannot resolve (%s)',
    async (range) => {
      const run = await diff(s.repo, ['--path', DEPLOY, range]);
      expectUsageError(run, /is not a commit|cannot|not/);
    },
  );

  it('A...B without a common ancestor', async () => {
    const run = await diff(s.repo, ['--path', DEPLOY, `main...${orphan}`]);
    expectUsageError(run, /no common ancestor/);
  });

  it('outside a git repository, with or without a range', async () => {
    const outside = path.join(await tempDir('diff-outside'), 'not-a-repo');
    await mkdir(outside);
    // The ceiling keeps git from finding a repository above the temporary folder.
    const env = { GIT_CEILING_DIRECTORIES: path.dirname(outside) };
    for (const args of [['diff'], ['diff', 'HEAD~1..HEAD'], ['diff', '--format', 'json', 'main...feature']]) {
      const run = await gitgate(outside, args, env);
      expectUsageError(run, /not inside a git repository/);
    }
  });

  it('--path outside the repository', async () => {
    expectUsageError(await diff(s.repo, ['--path', '../elsewhere', `${s.base}..${s.period}`]), /outside the repository/);
    expectUsageError(await diff(s.repo, ['--path', 'deploy/../..', `${s.base}..${s.period}`]), /outside the repository/);
  });

  it('--path that is a folder on neither side (a typo must not read as "no change")', async () => {
    expectUsageError(await diff(s.repo, ['--path', 'deploi', `${s.base}..${s.period}`]), /deploi/);
  });

  it('--path missing in the working tree', async () => {
    expectUsageError(await diff(s.repo, ['--path', 'deploi']), /deploi/);
  });

  it('--usage that is not a URL, or where nothing answers', async () => {
    expectUsageError(await diff(s.repo, ['--path', DEPLOY, '--usage', 'not a url', `${s.base}..${s.period}`]), /not a URL/);
    const port = await refusedPort();
    expectUsageError(await diff(s.repo, ['--path', DEPLOY, '--usage', `http://127.0.0.1:${port}/api/v1/usage`, `${s.base}..${s.period}`]), new RegExp(`127\\.0\\.0\\.1:${port}`));
  });

  it('an unknown --format is a usage error too', async () => {
    const run = await diff(s.repo, ['--format', 'yaml', `${s.base}..${s.period}`]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/yaml/);
  });
});

it('every run in this file left the repository untouched', () => {
  expect(checked.runs).toBeGreaterThanOrEqual(30);
});
