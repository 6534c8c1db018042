import picomatch from 'picomatch';
import { DEFAULT_LIMITS, type FileProblem, type SourceInput } from '../../model/index.js';
import { runGit, type GitOptions } from './run-git.js';

export interface TreeReadOptions {
  /** Folder inside the repository holding the resources ('' for the root). */
  readonly path?: string;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly maxFileBytes?: number;
}

const YAML_FILE = /\.ya?ml$/i;
const SKIPPED = /(^|\/)(\.git|node_modules)\//;

/**
 * Reads the YAML files of one revision straight from git objects: no checkout, no worktree, no
 * change to anything. Paths are relative to `path`, like `readSourceDir` gives them, so
 * diagnostics and reports read the same whether they came from a directory or a commit.
 */
export async function readTreeAt(gitDir: string, revision: string, options: TreeReadOptions = {}, git: GitOptions = {}): Promise<{ inputs: SourceInput[]; problems: FileProblem[] }> {
  const base = (options.path ?? '').replace(/^\/+|\/+$/g, '');
  const maxBytes = options.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes;
  const include = options.include?.length ? picomatch(options.include as string[], { dot: true }) : undefined;
  const exclude = options.exclude?.length ? picomatch(options.exclude as string[], { dot: true }) : undefined;
  const problems: FileProblem[] = [];
  if (base !== '') {
    // A folder that is gone (renamed, deleted) must not read as an empty configuration, which
    // would remove every route: it is an error of the revision.
    const type = await runGit(['cat-file', '-t', `${revision}:${base}`], { ...git, cwd: gitDir }).then((out) => out.toString('utf8').trim(), () => undefined);
    if (type !== 'tree') {
      problems.push({ file: base, line: 1, column: 1, message: `the path "${base}" is not a folder in revision ${revision.slice(0, 12)}`, severity: 'error' });
      return { inputs: [], problems };
    }
  }
  const listing = await runGit(['ls-tree', '-r', '-z', '-l', '--full-tree', revision, '--', base === '' ? '.' : base], { ...git, cwd: gitDir });
  const wanted: { path: string; sha: string }[] = [];
  for (const line of listing.toString('utf8').split('\0')) {
    if (line === '') continue;
    // `<mode> <type> <sha> <size>\t<path>`
    const tab = line.indexOf('\t');
    const [mode, type, sha, size] = line.slice(0, tab).split(/\s+/);
    const full = line.slice(tab + 1);
    const relative = base === '' ? full : full.slice(base.length + 1);
    if (type !== 'blob' || !YAML_FILE.test(relative) || SKIPPED.test(`/${relative}`)) continue;
    if ((include !== undefined && !include(relative)) || exclude?.(relative) === true) continue;
    if (mode === '120000') {
      problems.push({ file: relative, line: 1, column: 1, message: 'is a symbolic link in git: not read', severity: 'warning' });
      continue;
    }
    if (Number(size) > maxBytes) {
      problems.push({ file: relative, line: 1, column: 1, message: `is ${size} bytes, larger than the limit of ${maxBytes} bytes`, severity: 'error' });
      continue;
    }
    wanted.push({ path: relative, sha: sha! });
  }
  wanted.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (wanted.length === 0) return { inputs: [], problems };
  const output = await runGit(['cat-file', '--batch'], { ...git, cwd: gitDir, input: `${wanted.map((w) => w.sha).join('\n')}\n` });
  const contents = parseBatch(output);
  return { inputs: wanted.map((w) => ({ path: w.path, content: contents.get(w.sha) ?? new Uint8Array() })), problems };
}

/** Parses `git cat-file --batch` output: `<sha> <type> <size>\n<bytes>\n` per object. */
function parseBatch(output: Buffer): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let at = 0;
  while (at < output.length) {
    const newline = output.indexOf(10, at);
    if (newline === -1) break;
    const [sha, , size] = output.toString('utf8', at, newline).split(' ');
    const length = Number(size);
    out.set(sha!, output.subarray(newline + 1, newline + 1 + length));
    at = newline + 1 + length + 1;
  }
  return out;
}
