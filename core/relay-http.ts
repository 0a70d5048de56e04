/** An HTTP URL on the relay reached at `wsUrl` (`wss://host/ws` → `https://host/<path>`). */
export function relayHttpUrl(wsUrl: string, path: string): string {
  return new URL(`../${path}`, wsUrl.replace(/^ws/, 'http')).href;
}

/** POSTs JSON with the member's key; best effort (the result is not awaited by callers). */
export function postAsMember(send: typeof fetch, url: string, key: string, body: unknown): Promise<void> {
  return send(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
    keepalive: true,
  }).then(() => undefined, () => undefined);
}
