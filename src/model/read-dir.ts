import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { DEFAULT_LIMITS, type LoadLimits } from './limits.js';
import type { SourceInput } from './load.js';
import type { FileProblem } from './yaml-file.js';

export interface ReadOptions {
  /** Globs relative to the root; when given, only matching files are read. */
  readonly include?: readonly string[];
  /** Globs relative to the root; matching files are skipped. */
  readonly exclude?: readonly string[];
  readonly limits?: LoadLimits;
}

export interface ReadResult {
  readonly inputs: SourceInput[];
  readonly problems: FileProblem[];
}

/** Directories that never hold configuration. */
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules']);
const YAML_FILE = /\.ya?ml$/i;

/** Thrown when the root or a file cannot be read at all (exit 2 in the CLI). */
export class ReadError extends Error {
  readonly code = 'ERR_MODEL_READ';
}

/**
 * Reads every `.yaml`/`.yml` file below `root`, in a stable order, skipping `.git` and
 * `node_modules`. Oversized files are not read: they come back as problems.
 */
export async function readSourceDir(root: string, options: ReadOptions = {}): Promise<ReadResult> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const rootStat = await stat(root).catch((error: NodeJS.ErrnoException) => {
    throw new ReadError(`${root}: ${error.code === 'ENOENT' ? 'no such directory' : error.message}`, { cause: error });
  });
  if (!rootStat.isDirectory()) throw new ReadError(`${root}: not a directory`);
  const realRoot = await realpath(root);
  const include = options.include?.length ? picomatch(options.include as string[], { dot: true }) : undefined;
  const exclude = options.exclude?.length ? picomatch(options.exclude as string[], { dot: true }) : undefined;

  const files = (await walk(root, ''))
    .filter((file) => YAML_FILE.test(file) && (include?.(file) ?? true) && !(exclude?.(file) ?? false))
    .sort();
  const inputs: SourceInput[] = [];
  const problems: FileProblem[] = [];
  for (const file of files) {
    const absolute = path.join(root, file);
    const info = await lstat(absolute).catch(readFailure(file));
    if (info.isSymbolicLink()) {
      // A link is followed only when it stays inside the root, so a repository cannot make the
      // linter read files elsewhere on the machine.
      const target = await realpath(absolute).catch(() => undefined);
      if (target === undefined || !(target + path.sep).startsWith(realRoot + path.sep)) {
        problems.push({ file, line: 1, column: 1, message: 'is a symbolic link to a file outside the path: not read', severity: 'warning' });
        continue;
      }
      if (!(await stat(target)).isFile()) continue;
    } else if (!info.isFile()) {
      continue;
    }
    const size = (await stat(absolute)).size;
    if (size > limits.maxFileBytes) {
      problems.push({ file, line: 1, column: 1, message: `is ${size} bytes, larger than the limit of ${limits.maxFileBytes} bytes`, severity: 'error' });
      continue;
    }
    inputs.push({ path: file, content: await readFile(absolute).catch(readFailure(file)) });
  }
  return { inputs, problems };
}

async function walk(root: string, relative: string): Promise<string[]> {
  const entries = await readdir(path.join(root, relative), { withFileTypes: true }).catch(readFailure(relative || '.'));
  const out: string[] = [];
  for (const entry of entries) {
    const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) out.push(...(await walk(root, child)));
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      out.push(child);
    }
  }
  return out;
}

function readFailure(file: string) {
  return (error: NodeJS.ErrnoException): never => {
    throw new ReadError(`${file}: cannot be read: ${error.code ?? error.message}`, { cause: error });
  };
}
