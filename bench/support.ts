// What the benchmarks share: where the package is, and a garbage collection between timed runs.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The package root, found from this file whether it runs from `bench/` or `dist/bench/`. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('gitgate benchmarks: no package.json above the benchmark');
    dir = parent;
  }
  return dir;
}

/** A full collection between timed runs keeps one run's garbage out of the next one's time. */
export function exposeGc(): () => void {
  if (typeof globalThis.gc === 'function') return globalThis.gc as () => void;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
