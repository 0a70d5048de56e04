// Finding 5 of issue 15: serving files. A read error after the file was found must not kill the
// process; hidden files and symlinks out of the folder are never served; no blanket
// `Access-Control-Allow-Origin: *`; pages get a Content-Security-Policy (with frame-ancestors)
// and a Referrer-Policy. The relay runs as a real child process, so a crash shows.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RelayProcess } from '../helpers/relay-process.js';

describe('static files', () => {
  const root = mkdtempSync(join(tmpdir(), 'mesh-static-'));
  const site = join(root, 'site');
  let relay: RelayProcess;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(relay.httpUrl + path, { headers });

  before(async () => {
    mkdirSync(join(site, 'sub'), { recursive: true });
    mkdirSync(join(site, '.git'));
    mkdirSync(join(root, 'outside'));
    writeFileSync(join(site, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(site, 'app.js'), 'export {};');
    writeFileSync(join(site, '.env'), 'SECRET=1');
    writeFileSync(join(site, '.git', 'config'), '[core]');
    writeFileSync(join(site, 'sub', '.hidden'), 'x');
    writeFileSync(join(root, 'outside', 'secret.txt'), 'outside the folder');
    symlinkSync(join(root, 'outside', 'secret.txt'), join(site, 'link-out.txt'));
    symlinkSync(join(root, 'outside'), join(site, 'dir-out'));
    symlinkSync(join(site, 'app.js'), join(site, 'link-in.js'));
    relay = new RelayProcess({ args: ['--static', `/=${site}`, '--http-rate', '100000', '--http-burst', '100000'] });
    await relay.start();
  });
  after(async () => {
    await relay.kill('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  });

  it('serves files, and symlinks that stay inside the folder', async () => {
    assert.equal(await (await get('/')).text(), '<!doctype html><title>t</title>');
    assert.equal((await get('/app.js')).headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(await (await get('/link-in.js')).text(), 'export {};');
  });

  it('never serves hidden files or folders', async () => {
    for (const path of ['/.env', '/.git/config', '/sub/.hidden', '/%2eenv', '/sub/..%2f.env']) {
      assert.equal((await get(path)).status, 404, path);
    }
  });

  it('never follows a symlink out of the folder', async () => {
    for (const path of ['/link-out.txt', '/dir-out/secret.txt']) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(await res.text(), /outside the folder/);
    }
  });

  it('sends a CSP with frame-ancestors and a Referrer-Policy, and CORS only for allowed origins', async () => {
    const page = await get('/', { origin: 'https://evil.example' });
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'self'/);
    assert.match(csp, /script-src 'self'/);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('access-control-allow-origin'), null, 'no CORS for an origin that is not allowed');
    const script = await get('/app.js', { origin: 'http://localhost:5173' });
    assert.equal(script.headers.get('access-control-allow-origin'), 'http://localhost:5173', 'an allowed origin may load the bundle');
    assert.match(script.headers.get('vary') ?? '', /origin/i);
    assert.notEqual((await get('/app.js')).headers.get('access-control-allow-origin'), '*');
  });

  it('answers If-None-Match with 304 and HEAD without a body', async () => {
    const first = await get('/app.js');
    const etag = first.headers.get('etag')!;
    assert.ok(etag);
    assert.equal((await get('/app.js', { 'if-none-match': etag })).status, 304);
    const head = await fetch(relay.httpUrl + '/app.js', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });

  it('survives files disappearing while they are being served (no crash on a read error)', async () => {
    const file = join(site, 'race.txt');
    const pending: Array<Promise<unknown>> = [];
    for (let i = 0; i < 300; i++) {
      writeFileSync(file, 'r'.repeat(64 * 1024));
      for (let k = 0; k < 4; k++) pending.push(get('/race.txt').then((r) => r.arrayBuffer()).catch(() => null));
      await new Promise((res) => setImmediate(res));
      unlinkSync(file);
    }
    await Promise.all(pending);
    assert.ok(relay.running, `the relay process is still running:\n${relay.output}`);
    assert.equal((await get('/healthz')).status, 200);
  });
});
