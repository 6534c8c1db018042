import { gitText } from './run-git.js';

/** What `gitgate diff` compares: two commits, or a commit and the working tree. */
export interface ResolvedRange {
  /** The repository's top folder. */
  readonly root: string;
  /** Its git directory (objects are read from there). */
  readonly gitDir: string;
  readonly base: string;
  /** A commit, or null for the working tree. */
  readonly head: string | null;
  /** How the range was written, for messages. */
  readonly text: string;
}

/** Thrown for a range git cannot resolve (exit 2). */
export class GitRangeError extends Error {
  readonly code = 'ERR_DIFF_RANGE';
}

/**
 * Resolves a range the way a pull request sees it: `A...B` from the merge base of A and B to
 * B, `A..B` from A to B, `A` from A to HEAD, nothing from HEAD to the working tree. Runs from
 * anywhere inside the repository and changes nothing in it.
 */
export async function resolveRange(cwd: string, range: string | undefined): Promise<ResolvedRange> {
  const root = await gitText(['rev-parse', '--show-toplevel'], { cwd }).catch(() => {
    throw new GitRangeError(`${cwd} is not inside a git repository`);
  });
  const gitDir = await gitText(['rev-parse', '--absolute-git-dir'], { cwd: root });
  const commit = (rev: string) =>
    gitText(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd: root }).catch(() => {
      throw new GitRangeError(`"${rev}" is not a commit of ${root}`);
    });
  if (range === undefined || range === '') {
    return { root, gitDir, base: await commit('HEAD'), head: null, text: 'HEAD to the working tree' };
  }
  const three = range.indexOf('...');
  if (three !== -1) {
    const [a, b] = [range.slice(0, three) || 'HEAD', range.slice(three + 3) || 'HEAD'];
    const [left, right] = [await commit(a), await commit(b)];
    const base = await gitText(['merge-base', left, right], { cwd: root }).catch(() => {
      throw new GitRangeError(`${a} and ${b} have no common ancestor`);
    });
    return { root, gitDir, base, head: right, text: range };
  }
  const two = range.indexOf('..');
  if (two !== -1) {
    const [a, b] = [range.slice(0, two) || 'HEAD', range.slice(two + 2) || 'HEAD'];
    return { root, gitDir, base: await commit(a), head: await commit(b), text: range };
  }
  return { root, gitDir, base: await commit(range), head: await commit('HEAD'), text: `${range}..HEAD` };
}
