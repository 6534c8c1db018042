// @ts-check
// What the action asks git: where the repository root is, which range a pull request covers,
// whether the checkout holds both ends of it, and which files the range changes.
import { spawnSync } from 'node:child_process';

/**
 * @param {string} cwd
 * @param {string[]} args
 */
function git(cwd, args) {
  const run = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  return { ok: run.status === 0, stdout: run.stdout ?? '', stderr: run.stderr ?? '' };
}

/**
 * The root of the git repository holding `dir`, or undefined outside one.
 * @param {string} dir
 */
export function repositoryRoot(dir) {
  const run = git(dir, ['rev-parse', '--show-toplevel']);
  return run.ok ? run.stdout.trim() : undefined;
}

/**
 * The range a pull request shows (its base branch's merge base to HEAD), else the last commit.
 * @param {NodeJS.ProcessEnv} env
 * @param {{ pull_request?: { base?: { ref?: string } } }} event
 */
export function defaultRange(env, event) {
  // GITHUB_BASE_REF is set for pull_request and pull_request_target only; other pull-request
  // events (pull_request_review...) carry the base in their payload.
  const base = env.GITHUB_BASE_REF || event.pull_request?.base?.ref;
  return base ? `origin/${base}...HEAD` : 'HEAD~1..HEAD';
}

/**
 * The two ends of a `gitgate diff` range: `A...B` and `A..B` as written, `A` means A to HEAD,
 * nothing means HEAD to the working tree (`to` undefined).
 * @param {string} range
 * @returns {{ from: string, to: string | undefined, mergeBase: boolean }}
 */
export function rangeEnds(range) {
  const three = range.indexOf('...');
  if (three !== -1) return { from: range.slice(0, three) || 'HEAD', to: range.slice(three + 3) || 'HEAD', mergeBase: true };
  const two = range.indexOf('..');
  if (two !== -1) return { from: range.slice(0, two) || 'HEAD', to: range.slice(two + 2) || 'HEAD', mergeBase: false };
  if (range === '') return { from: 'HEAD', to: undefined, mergeBase: false };
  return { from: range, to: 'HEAD', mergeBase: false };
}

/**
 * Why the checkout cannot show `range` (a missing commit, no merge base), with what to change
 * in the workflow; undefined when it can.
 * @param {string} root
 * @param {string} range
 */
export function rangeProblem(root, range) {
  const { from, to, mergeBase } = rangeEnds(range);
  const shallow = git(root, ['rev-parse', '--is-shallow-repository']).stdout.trim() === 'true';
  const hint = shallow
    ? 'this checkout is shallow: give actions/checkout `fetch-depth: 0` so the base branch and its history are fetched'
    : 'check the diff-range input, and that actions/checkout has `fetch-depth: 0`';
  for (const rev of to === undefined ? [from] : [from, to]) {
    if (!git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]).ok) return `${rev} is not a commit in this checkout: ${hint}`;
  }
  if (mergeBase && to !== undefined && !git(root, ['merge-base', '--end-of-options', from, to]).ok) {
    return `${from} and ${to} have no merge base in this checkout: ${hint}`;
  }
  return undefined;
}

/**
 * The files (relative to the repository root) that `range` changes; empty when git cannot tell.
 * @param {string} root
 * @param {string} range
 * @returns {Set<string>}
 */
export function changedFiles(root, range) {
  const { from, to, mergeBase } = rangeEnds(range);
  const revs = to === undefined ? [from] : mergeBase ? [`${from}...${to}`] : [from, to];
  const run = git(root, ['diff', '--name-only', '-z', '--no-renames', ...revs, '--']);
  return new Set(run.ok ? run.stdout.split('\0').filter((file) => file !== '') : []);
}
