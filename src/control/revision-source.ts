import type { FileProblem, SourceInput } from '../model/index.js';
import { readDirectorySnapshot } from './directory-source.js';
import type { CommitInfo, GitSource } from './git/git-source.js';

/** Where revisions come from: a git branch, or a directory (for `serve --dir`). */
export interface RevisionSource {
  readonly kind: 'git' | 'dir';
  /** For status: the URL (without credentials) or the directory, the branch and path. */
  describe(): Readonly<Record<string, string>>;
  /** Fetches (git) or re-reads (dir) and returns the newest revision. */
  latest(): Promise<string>;
  read(revision: string): Promise<{ inputs: readonly SourceInput[]; problems: readonly FileProblem[] }>;
  /** Commit metadata; undefined for a directory. */
  info(revision: string): Promise<CommitInfo | undefined>;
  /** Why the revision may not be deployed (signature), or undefined. */
  refuse(revision: string): Promise<string | undefined>;
  /** Whether the revision can be read (a pinned commit the mirror has). */
  has(revision: string): Promise<boolean>;
  /** The full name of an abbreviated revision. */
  resolve(revision: string): Promise<string>;
}

export function gitRevisionSource(source: GitSource): RevisionSource {
  return {
    kind: 'git',
    describe: () => ({ url: source.displayUrl, branch: source.options.branch, path: source.options.path ?? '' }),
    latest: () => source.fetch(),
    read: (revision) => source.read(revision),
    info: (revision) => source.commit(revision),
    refuse: (revision) => source.checkSignature(revision),
    has: (revision) => source.exists(revision),
    resolve: (revision) => source.resolve(revision),
  };
}

export function directoryRevisionSource(dir: string, options: { include?: readonly string[]; exclude?: readonly string[] }): RevisionSource {
  // The last snapshot read, by revision: `latest` reads the directory once for both calls.
  let last: Awaited<ReturnType<typeof readDirectorySnapshot>> | undefined;
  return {
    kind: 'dir',
    describe: () => ({ dir }),
    latest: async () => {
      last = await readDirectorySnapshot(dir, options);
      return last.revision;
    },
    read: async (revision) => {
      if (last?.revision !== revision) last = await readDirectorySnapshot(dir, options);
      return last;
    },
    info: async () => undefined,
    refuse: async () => undefined,
    has: async (revision) => last?.revision === revision,
    resolve: async (revision) => revision,
  };
}
