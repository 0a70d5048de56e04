/**
 * Which page origins may use the relay (WebSocket upgrades and the JSON endpoints).
 * Entries: an exact origin (`https://example.org`), `self` (the relay's own host, as the page
 * sees it in the Host header), `localhost` (any http(s) origin on localhost, 127.0.0.1 or [::1]),
 * or `*` (anyone; only when set explicitly). Default: `self,localhost`.
 *
 * Requests without an Origin header (non-browser clients) are allowed: the check protects
 * users' browsers from other sites, not the relay from scripts, which tokens and limits do.
 */
export class OriginPolicy {
  private readonly exact: Set<string>;
  private readonly any: boolean;
  private readonly self: boolean;
  private readonly localhost: boolean;

  constructor(readonly entries: readonly string[]) {
    this.any = entries.includes('*');
    this.self = entries.includes('self');
    this.localhost = entries.includes('localhost');
    this.exact = new Set(entries.filter((e) => e !== '*' && e !== 'self' && e !== 'localhost').map((e) => e.toLowerCase().replace(/\/+$/, '')));
  }

  allows(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return true;
    if (this.any) return true;
    const o = origin.toLowerCase();
    if (this.exact.has(o)) return true;
    let url: URL;
    try {
      url = new URL(o);
    } catch {
      return false; // "null" (file://, sandboxed frames) and anything unparseable
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    if (this.self && host && url.host === host.toLowerCase()) return true;
    if (this.localhost && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return true;
    return false;
  }
}
