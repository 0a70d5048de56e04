/** An HTTP URL on the relay reached at `wsUrl` (`wss://host/ws` → `https://host/<path>`). */
export function relayHttpUrl(wsUrl: string, path: string): string {
  return new URL(`../${path}`, wsUrl.replace(/^ws/, 'http')).href;
}

/**
 * POSTs JSON with the member's key; best effort (the result is not awaited by callers). Does
 * nothing without a URL (not connected) or without `fetch`.
 */
export function postAsMember(send: typeof fetch | undefined, url: string | null, key: string, body: unknown): Promise<void> {
  const post = send ?? (typeof fetch === 'function' ? fetch : null);
  if (!url || !post) return Promise.resolve();
  return post(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
    keepalive: true,
  }).then(() => undefined, () => undefined);
}
