import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StaticMount } from './relay-options.js';
import { securityHeaders } from './security-headers.js';

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

/** A path segment that is hidden: `.env`, `.git`, and `..` (resolved away before this, but never served). */
const hidden = (rel: string) => rel.split(/[\\/]/).some((seg) => seg.startsWith('.'));

/** The file to serve, if any: real path inside the real root, no hidden segment, a regular file. */
async function resolveFile(root: string, rel: string): Promise<{ file: string; handle: fs.FileHandle; size: number; mtimeMs: number } | null> {
  let realRoot: string;
  let real: string;
  try {
    realRoot = await fs.realpath(root);
    real = await fs.realpath(path.join(realRoot, rel));
  } catch {
    return null;
  }
  // Symlinks are followed only while they stay inside the folder.
  const inside = path.relative(realRoot, real);
  if (inside.startsWith('..') || path.isAbsolute(inside) || hidden(inside)) return null;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  const stat = await handle.stat().catch(() => null);
  if (stat?.isDirectory() && !rel.endsWith('index.html')) {
    await handle.close();
    return resolveFile(root, path.join(rel, 'index.html'));
  }
  if (!stat?.isFile()) {
    await handle.close();
    return null;
  }
  return { file: real, handle, size: stat.size, mtimeMs: stat.mtimeMs };
}

/**
 * Serves files from mounted directories: paths resolve inside their mount and never escape it
 * (symlinks included), hidden files and folders are never served, directories serve their
 * `index.html`. The file is opened before anything is sent, so a file deleted meanwhile is a
 * 404, and a read error later ends that response only (reported to `onError`). Returns false
 * when nothing matched. CORS headers, when the origin is allowed, are the caller's.
 */
export async function serveStatic(mounts: StaticMount[], req: IncomingMessage, res: ServerResponse, onError: (err: unknown) => void): Promise<boolean> {
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
    const rel = path.normalize('/' + pathname.slice(mount.prefix.length === 1 ? 0 : mount.prefix.length)).slice(1);
    if (rel.startsWith('..') || hidden(rel)) return false;
    const found = await resolveFile(path.resolve(mount.dir), rel);
    if (!found) continue;
    const type = TYPES[path.extname(found.file)] ?? 'application/octet-stream';
    const etag = `W/"${found.size.toString(16)}-${Math.floor(found.mtimeMs).toString(16)}"`;
    const headers = {
      ...securityHeaders(type.startsWith('text/html')),
      'content-type': type, 'cache-control': 'no-cache', etag,
    };
    if (req.headers['if-none-match'] === etag) {
      await found.handle.close();
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, { ...headers, 'content-length': found.size });
    if (req.method === 'HEAD') {
      await found.handle.close();
      res.end();
      return true;
    }
    pipeline(found.handle.createReadStream(), res, (err) => {
      if (err && (err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') onError(err);
    });
    return true;
  }
  return false;
}
