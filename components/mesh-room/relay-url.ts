/**
 * The WebSocket URL of a relay given as an attribute: absolute (`wss://…`), or relative to the
 * page (`/ws`, the default), with http(s) mapped to ws(s).
 */
export function relayUrl(attr: string): string {
  const url = new URL(attr || '/ws', location.href);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  return url.href;
}
