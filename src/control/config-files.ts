import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { RuntimeConfig } from '../policy/index.js';

/** Compiled configurations kept on disk: the newest ones, for restarts and rollbacks. */
const KEEP = 10;

/** The configuration of a deployment: its file, or the copy stored in its row (older stores). */
export async function readStoredConfig(dir: string, hash: string | null, inRow: unknown): Promise<RuntimeConfig | undefined> {
  if (hash !== null && /^[0-9a-f]{64}$/.test(hash)) {
    try {
      return JSON.parse(await readFile(path.join(dir, `${hash}.json`), 'utf8')) as RuntimeConfig;
    } catch {
      // fall back to the row
    }
  }
  return inRow === undefined || inRow === null ? undefined : (inRow as RuntimeConfig);
}

/** Deletes all but the newest files (and never the one in service). */
export async function pruneStoredConfigs(dir: string, current: string): Promise<void> {
  const names = (await readdir(dir)).filter((name) => /^[0-9a-f]{64}\.json$/.test(name));
  if (names.length <= KEEP) return;
  const dated = await Promise.all(names.map(async (name) => ({ name, at: (await stat(path.join(dir, name))).mtimeMs })));
  dated.sort((a, b) => b.at - a.at);
  for (const { name } of dated.slice(KEEP)) if (name !== `${current}.json`) await unlink(path.join(dir, name)).catch(() => undefined);
}
