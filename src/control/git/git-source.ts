import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { FileProblem, SourceInput } from '../../model/index.js';
import { readTreeAt } from './read-tree.js';
import { gitText, runGit, type GitOptions } from './run-git.js';

export interface CommitInfo {
  readonly sha: string;
  readonly parent: string | null;
  readonly author: string;
  readonly email: string;
  readonly date: string;
  readonly message: string;
}

export interface GitSourceOptions {
  /** A local path, `file://`, `https://` or SSH URL. */
  readonly url: string;
  readonly branch: string;
  /** Where the mirror lives (inside the data directory). */
  readonly mirrorDir: string;
  readonly path?: string;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  /** A token for HTTPS remotes (GITGATE_GIT_TOKEN); sent as a header, never written to disk. */
  readonly token?: string;
  /** SSH allowed-signers file: when set, only commits signed by these keys are accepted. */
  readonly allowedSigners?: string;
}

/**
 * The repository gitgate follows: a bare mirror of one branch in the data directory, fetched on
 * demand, read straight from git objects.
 */
export class GitSource {
  readonly options: GitSourceOptions;
  readonly #url: string;
  readonly #git: GitOptions;

  constructor(options: GitSourceOptions) {
    this.options = options;
    // A local path is made absolute: git runs inside the mirror directory.
    const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(options.url) || /^[^/]+@[^:]+:/.test(options.url);
    this.#url = isUrl ? options.url : path.resolve(options.url);
    this.#git = { config: options.token !== undefined && /^https:/i.test(this.#url) ? [`http.extraHeader=Authorization: Basic ${Buffer.from(`x-access-token:${options.token}`).toString('base64')}`] : [] };
  }

  /** The URL without credentials, for status and logs. */
  get displayUrl(): string {
    return this.#url.replace(/\/\/[^/@]*@/, '//***@');
  }

  /** Clones the mirror if it is missing; fetches the branch; returns its head commit. */
  async fetch(): Promise<string> {
    const dir = this.options.mirrorDir;
    if (!existsSync(path.join(dir, 'HEAD'))) {
      await mkdir(dir, { recursive: true });
      await runGit(['init', '--bare', '--quiet', dir], this.#git);
      await runGit(['remote', 'add', 'origin', this.#url], { ...this.#git, cwd: dir });
    } else {
      await runGit(['remote', 'set-url', 'origin', this.#url], { ...this.#git, cwd: dir });
    }
    const ref = `refs/heads/${this.options.branch}`;
    await runGit(['fetch', '--quiet', '--no-tags', '--prune', 'origin', `+${ref}:${ref}`], { ...this.#git, cwd: dir, timeoutMs: 120_000 });
    return gitText(['rev-parse', '--verify', `${ref}^{commit}`], { cwd: dir });
  }

  async commit(sha: string): Promise<CommitInfo> {
    const out = await gitText(['show', '-s', '--format=%H%x00%P%x00%an%x00%ae%x00%aI%x00%B', sha], { cwd: this.options.mirrorDir });
    const [full, parents, author, email, date, message] = out.split('\0');
    return { sha: full!, parent: parents?.split(' ')[0] || null, author: author!, email: email!, date: date!, message: (message ?? '').trim() };
  }

  async exists(sha: string): Promise<boolean> {
    return runGit(['cat-file', '-e', `${sha}^{commit}`], { cwd: this.options.mirrorDir }).then(
      () => true,
      () => false,
    );
  }

  /** The full sha of a (possibly abbreviated) commit. */
  async resolve(revision: string): Promise<string> {
    return gitText(['rev-parse', '--verify', `${revision}^{commit}`], { cwd: this.options.mirrorDir });
  }

  async read(sha: string): Promise<{ inputs: SourceInput[]; problems: FileProblem[] }> {
    return readTreeAt(this.options.mirrorDir, sha, { path: this.options.path ?? '', include: this.options.include ?? [], exclude: this.options.exclude ?? [] });
  }

  /** With allowed signers configured: undefined when the commit is signed by one of them, else why not. */
  async checkSignature(sha: string): Promise<string | undefined> {
    if (this.options.allowedSigners === undefined) return undefined;
    // git 2.39's verify-commit says nothing about an unsigned commit: look for the header.
    const raw = await gitText(['cat-file', 'commit', sha], { cwd: this.options.mirrorDir });
    const headers = raw.slice(0, raw.indexOf('\n\n') === -1 ? raw.length : raw.indexOf('\n\n'));
    if (!/^gpgsig(-sha256)? /m.test(headers)) return 'the commit is not signed';
    try {
      await runGit(['-c', `gpg.ssh.allowedSignersFile=${path.resolve(this.options.allowedSigners)}`, 'verify-commit', sha], { cwd: this.options.mirrorDir });
      return undefined;
    } catch (error) {
      void error;
      return 'the commit is not signed by an allowed key';
    }
  }

  /**
   * A commit on top of `head` whose content is `target`'s: it reverts every commit after the
   * target in one step. Returns the new commit; the branch is not moved (see publish).
   */
  async revertTo(target: string, head: string, message: string): Promise<string> {
    const dir = this.options.mirrorDir;
    const tree = await gitText(['rev-parse', `${target}^{tree}`], { cwd: dir });
    return gitText(['-c', 'user.name=gitgate', '-c', 'user.email=gitgate@localhost', 'commit-tree', tree, '-p', head, '-m', message], { cwd: dir });
  }

  /** Whether commits must be signed: gitgate cannot sign the revert commits it makes. */
  get requiresSignatures(): boolean {
    return this.options.allowedSigners !== undefined;
  }

  /** Pushes a commit to the remote branch; the error says why when the remote cannot be written. */
  async publish(sha: string): Promise<void> {
    const ref = `refs/heads/${this.options.branch}`;
    await runGit(['push', '--quiet', 'origin', `${sha}:${ref}`], { ...this.#git, cwd: this.options.mirrorDir });
    await runGit(['update-ref', ref, sha], { cwd: this.options.mirrorDir });
  }
}
