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
  // Files are read concurrently (on many small files the time goes to waiting for I/O), and
  // the outcomes are taken in sorted order: inputs, problems and the error for the first
  // unreadable file are the same as when reading one file after another.
  const outcomes = await settleInOrder(files, READ_CONCURRENCY, (file) => readOne(root, realRoot, file, limits));
  const inputs: SourceInput[] = [];
  const problems: FileProblem[] = [];
  for (const outcome of outcomes) {
    if (!outcome.ok) throw outcome.error;
    if (outcome.value === undefined) continue;
    if ('content' in outcome.value) inputs.push(outcome.value);
    else problems.push(outcome.value);
  }
  return { inputs, problems };
}

/** Files read at once: enough to keep libuv's thread pool busy, few enough to spare descriptors. */
const READ_CONCURRENCY = 16;

/** One file: its input, a problem instead of its content, or undefined when it is skipped. */
async function readOne(root: string, realRoot: string, file: string, limits: LoadLimits): Promise<SourceInput | FileProblem | undefined> {
  const absolute = path.join(root, file);
  const info = await lstat(absolute).catch(readFailure(file));
  let size = info.size;
  if (info.isSymbolicLink()) {
    // A link is followed only when it stays inside the root, so a repository cannot make the
    // linter read files elsewhere on the machine.
    const target = await realpath(absolute).catch(() => undefined);
    if (target === undefined || !(target + path.sep).startsWith(realRoot + path.sep)) {
      return { file, line: 1, column: 1, message: 'is a broken symbolic link or links outside the path: not read', severity: 'warning' };
    }
    const targetInfo = await stat(target);
    if (!targetInfo.isFile()) return undefined;
    size = targetInfo.size;
  } else if (!info.isFile()) {
    return undefined;
  }
  if (size > limits.maxFileBytes) {
    return { file, line: 1, column: 1, message: `is ${size} bytes, larger than the limit of ${limits.maxFileBytes} bytes`, severity: 'error' };
  }
  return { path: file, content: await readFile(absolute).catch(readFailure(file)) };
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Runs `task` on every item, at most `limit` at a time, and returns the outcomes in item order. */
async function settleInOrder<I, T>(items: readonly I[], limit: number, task: (item: I) => Promise<T>): Promise<Settled<T>[]> {
  const outcomes: Settled<T>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        outcomes[index] = { ok: true, value: await task(items[index]!) };
      } catch (error) {
        outcomes[index] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return outcomes;
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
