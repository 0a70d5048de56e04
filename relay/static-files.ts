import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StaticMount } from './relay-options.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves files from mounted directories. Paths are resolved inside their mount and never
 * escape it; directories serve their `index.html`. Returns false when nothing matched.
 */
export async function serveStatic(mounts: StaticMount[], req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    return false;
  }
  if (pathname.includes('\0')) return false;
  // Longest prefix first, so `/dist` wins over `/`.
  const sorted = [...mounts].sort((a, b) => b.prefix.length - a.prefix.length);
  for (const mount of sorted) {
    const prefix = mount.prefix.endsWith('/') ? mount.prefix : mount.prefix + '/';
    if (pathname !== mount.prefix && !pathname.startsWith(prefix)) continue;
    const root = path.resolve(mount.dir);
    let file = path.resolve(root, '.' + pathname.slice(mount.prefix.length === 1 ? 0 : mount.prefix.length));
    if (file !== root && !file.startsWith(root + path.sep)) return false;
    try {
      let stat = await fs.stat(file);
      if (stat.isDirectory()) {
        file = path.join(file, 'index.html');
        stat = await fs.stat(file);
      }
      if (!stat.isFile()) continue;
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'content-length': stat.size,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        // Public files: the bundle may be loaded as a module by pages on any origin.
        'access-control-allow-origin': '*',
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
      return true;
    } catch {
      continue;
    }
  }
  return false;
}
