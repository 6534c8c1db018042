import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { DEFAULT_LIMITS, type FileProblem, type SourceInput } from '../../model/index.js';
import { runGit } from './run-git.js';

const YAML_FILE = /\.ya?ml$/i;
const SKIPPED = /(^|\/)(\.git|node_modules)\//;

/**
 * Reads the YAML files of a working tree the way `readTreeAt` reads a commit, so a diff of
 * HEAD against an unchanged working tree is empty: the files git would see (tracked, and new
 * ones it does not ignore), symbolic links reported rather than followed, the same size limit.
 * Paths are relative to `folder`.
 */
export async function readWorktree(root: string, folder: string, options: { include?: readonly string[]; exclude?: readonly string[] } = {}): Promise<{ inputs: SourceInput[]; problems: FileProblem[] }> {
  const include = options.include?.length ? picomatch(options.include as string[], { dot: true }) : undefined;
  const exclude = options.exclude?.length ? picomatch(options.exclude as string[], { dot: true }) : undefined;
  const listing = await runGit(['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', folder === '' ? '.' : folder], { cwd: root });
  const files = [...new Set(listing.toString('utf8').split('\0').filter((f) => f !== ''))].sort();
  const inputs: SourceInput[] = [];
  const problems: FileProblem[] = [];
  for (const file of files) {
    const relative = folder === '' ? file : file.slice(folder.length + 1);
    if (!YAML_FILE.test(relative) || SKIPPED.test(`/${relative}`)) continue;
    if ((include !== undefined && !include(relative)) || exclude?.(relative) === true) continue;
    const absolute = path.join(root, file);
    const info = await lstat(absolute).catch(() => undefined);
    if (info === undefined) continue; // deleted in the working tree, not yet staged
    if (info.isSymbolicLink()) {
      problems.push({ file: relative, line: 1, column: 1, message: 'is a symbolic link in git: not read', severity: 'warning' });
      continue;
    }
    if (!info.isFile()) continue;
    if (info.size > DEFAULT_LIMITS.maxFileBytes) {
      problems.push({ file: relative, line: 1, column: 1, message: `is ${info.size} bytes, larger than the limit of ${DEFAULT_LIMITS.maxFileBytes} bytes`, severity: 'error' });
      continue;
    }
    inputs.push({ path: relative, content: await readFile(absolute) });
  }
  return { inputs, problems };
}
