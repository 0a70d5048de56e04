/**
 * Which page origins may use the relay (WebSocket upgrades, the JSON endpoints, and CORS on its
 * files). Entries: an exact origin (`https://example.org`), `self` (the relay's own pages: its
 * configured public origins and the address it is bound to), `localhost` (any http(s) origin on
 * localhost, 127.0.0.1 or [::1]), or `*` (anyone; only when set explicitly).
 * Default: `self,localhost`.
 *
 * `self` never looks at the Host header: a page on an attacker's domain that re-resolves to the
 * relay's address (DNS rebinding) sends a matching Host, so trusting it would let that page in.
 *
 * Requests without an Origin header (non-browser clients) are allowed: the check protects
 * users' browsers from other sites, not the relay from scripts, which tokens and limits do.
 */
export class OriginPolicy {
  private readonly exact: Set<string>;
  private readonly any: boolean;
  private readonly self: boolean;
  private readonly localhost: boolean;

  /** `selfOrigins()`: what `self` stands for right now (it knows the bound port only after listen). */
  constructor(readonly entries: readonly string[], private readonly selfOrigins: () => readonly string[] = () => []) {
    this.any = entries.includes('*');
    this.self = entries.includes('self');
    this.localhost = entries.includes('localhost');
    this.exact = new Set(entries.filter((e) => e !== '*' && e !== 'self' && e !== 'localhost').map((e) => e.toLowerCase().replace(/\/+$/, '')));
  }

  allows(origin: string | undefined): boolean {
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
    if (this.self && this.selfOrigins().includes(url.origin)) return true;
    if (this.localhost && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return true;
    return false;
  }
}
