/**
 * Runs in a page (pass it to `page.evaluate`): makes `size` random bytes the page keeps as
 * `window.__file`, and returns their SHA-256 in hex. Self-contained, as evaluate needs.
 */
export async function makeFileInPage(size: number): Promise<string> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (let at = 0; at < size; at += 65536) parts.push(crypto.getRandomValues(new Uint8Array(Math.min(65536, size - at))));
  const file = new Blob(parts, { type: 'application/octet-stream' });
  (window as unknown as { __file: Blob }).__file = file;
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
}
