import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

const TOKEN_FILE = 'admin-token';

/**
 * The admin API token: `GITGATE_ADMIN_TOKEN` when set; otherwise the one in the data directory,
 * generated on first start (0600). `created` tells the caller to print it, once.
 */
export async function loadAdminToken(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<{ token: string; created: boolean; file: string | undefined }> {
  const fromEnv = env.GITGATE_ADMIN_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') return { token: fromEnv, created: false, file: undefined };
  const file = path.join(dataDir, TOKEN_FILE);
  try {
    return { token: (await readFile(file, 'utf8')).trim(), created: false, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const token = `gga_${randomBytes(24).toString('base64url')}`;
  await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, created: true, file };
}

/** Compares in constant time (over hashes, so lengths leak nothing either). */
export function isAdminToken(presented: string | undefined, token: string): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}
