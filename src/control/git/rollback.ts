import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GitSource } from './git-source.js';
import { gitText, runGit } from './run-git.js';

export interface RollbackRequest {
  /** A local repository (working clone or bare) or a remote URL. */
  readonly repo: string;
  readonly branch: string;
  /** The revision to return to; the parent of the branch head by default. */
  readonly to?: string;
  readonly token?: string;
}

export interface RollbackReport {
  readonly target: string;
  readonly previousHead: string;
  readonly commit: string;
  /** Commits after the target that the new commit reverts. */
  readonly reverted: number;
  /** Where it was pushed, or null when there was nowhere to push. */
  readonly pushedTo: string | null;
}

const IDENTITY = ['-c', 'user.name=gitgate', '-c', 'user.email=gitgate@localhost'];

/**
 * `gitgate rollback`: one commit on top of the branch whose content is the target's, so every
 * later commit is reverted and history stays the source of truth. A local repository gets the
 * commit on its branch (a checked-out branch is fast-forwarded, which needs a clean worktree)
 * and pushes it to `origin` when there is one; a URL is fetched into a temporary mirror and the
 * commit pushed back.
 */
export async function rollbackRepository(request: RollbackRequest): Promise<RollbackReport> {
  const local = existsSync(request.repo) ? path.resolve(request.repo) : undefined;
  if (local === undefined) return rollbackRemote(request);
  const ref = `refs/heads/${request.branch}`;
  const head = await gitText(['rev-parse', '--verify', `${ref}^{commit}`], { cwd: local });
  const target = await gitText(['rev-parse', '--verify', `${request.to ?? `${head}~1`}^{commit}`], { cwd: local });
  const reverted = await countAfter(local, target, head);
  const commit = await gitText([...IDENTITY, 'commit-tree', `${target}^{tree}`, '-p', head, '-m', message(target, reverted)], { cwd: local });
  const bare = (await gitText(['rev-parse', '--is-bare-repository'], { cwd: local })) === 'true';
  const checkedOut = bare ? undefined : await gitText(['symbolic-ref', '-q', 'HEAD'], { cwd: local }).catch(() => undefined);
  if (checkedOut === ref) {
    if ((await gitText(['status', '--porcelain', '--untracked-files=no'], { cwd: local })) !== '') {
      throw new Error(`${request.repo} has uncommitted changes on ${request.branch}: commit or stash them first`);
    }
    await runGit(['merge', '--ff-only', '--quiet', commit], { cwd: local });
  } else {
    await runGit(['update-ref', ref, commit, head], { cwd: local });
  }
  const remotes = (await gitText(['remote'], { cwd: local })).split('\n');
  let pushedTo: string | null = null;
  if (remotes.includes('origin')) {
    await runGit(['push', '--quiet', 'origin', `${ref}:${ref}`], { cwd: local });
    pushedTo = await gitText(['remote', 'get-url', 'origin'], { cwd: local });
  }
  return { target, previousHead: head, commit, reverted, pushedTo };
}

async function rollbackRemote(request: RollbackRequest): Promise<RollbackReport> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gitgate-rollback-'));
  try {
    const source = new GitSource({ url: request.repo, branch: request.branch, mirrorDir: dir, ...(request.token === undefined ? {} : { token: request.token }) });
    const head = await source.fetch();
    const target = await source.resolve(request.to ?? `${head}~1`);
    const reverted = await countAfter(dir, target, head);
    const commit = await source.revertTo(target, head, message(target, reverted));
    await source.publish(commit);
    return { target, previousHead: head, commit, reverted, pushedTo: source.displayUrl };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function countAfter(dir: string, target: string, head: string): Promise<number> {
  if ((await runGit(['merge-base', '--is-ancestor', target, head], { cwd: dir }).then(() => true, () => false)) === false) {
    throw new Error(`${target} is not an ancestor of the branch head: nothing to roll back to`);
  }
  return Number(await gitText(['rev-list', '--count', `${target}..${head}`], { cwd: dir }));
}

function message(target: string, reverted: number): string {
  return `Roll back to ${target.slice(0, 12)}\n\nReverts the ${reverted} commit${reverted === 1 ? '' : 's'} after ${target} (gitgate rollback).`;
}
