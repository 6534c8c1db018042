import { readFileSync } from 'node:fs';

/** The version in package.json (the CLI runs from `src/` in tests and from `dist/src/` when built). */
export function gitgateVersion(): string {
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'gitgate' && pkg.version !== undefined) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}
