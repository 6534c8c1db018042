import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * The built UI (web/portal/dist): a file by its path, or index.html for the app's own routes.
 * Paths are resolved inside the folder only.
 */
export async function serveStatic(root: string, urlPath: string, res: ServerResponse, headers: Record<string, string>): Promise<boolean> {
  const relative = decodeURIComponent(urlPath).replace(/^\/+/, '');
  const file = path.resolve(root, relative === '' ? 'index.html' : relative);
  if (file !== root && !file.startsWith(root + path.sep)) return false;
  const target = (await isFile(file)) ? file : path.extname(relative) === '' ? path.join(root, 'index.html') : undefined;
  if (target === undefined || !(await isFile(target))) return false;
  const body = await readFile(target);
  const immutable = target.includes(`${path.sep}assets${path.sep}`);
  res.writeHead(200, {
    ...headers,
    'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(body);
  return true;
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}
