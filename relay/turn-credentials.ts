import { createHmac } from 'node:crypto';

/** An ICE server entry as `RTCPeerConnection` takes it. */
export interface IceServer { urls: string | string[]; username?: string; credential?: string }

/** TURN and STUN configuration of the relay. */
export interface IceConfig {
  /** Shared secret of the TURN server (coturn `static-auth-secret`); null: no TURN. */
  turnSecret: string | null;
  /** TURN URLs, e.g. `turn:turn.example.org:3478?transport=udp`. */
  turnUrls: string[];
  /** Lifetime of TURN credentials, s. Default 3600. */
  turnTtlSeconds: number;
  /** STUN URLs, e.g. `stun:stun.example.org:3478`. */
  stunUrls: string[];
}

/**
 * TURN credentials in the coturn REST-API scheme: `username = "<expiry>:<peerId>"`,
 * `credential = base64(HMAC-SHA1(secret, username))`. coturn checks them itself with the same secret.
 */
export function turnCredentials(secret: string, peerId: string, ttlSeconds: number, now = Date.now()): { username: string; credential: string; expiresAt: number } {
  const expiry = Math.floor(now / 1000) + ttlSeconds;
  const username = `${expiry}:${peerId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt: expiry * 1000 };
}

/** The ICE servers a member should use now (STUN, and TURN with fresh credentials), and for how long. */
export function iceServersFor(config: IceConfig, peerId: string, now = Date.now()): { iceServers: IceServer[]; ttlSeconds: number | null } {
  const iceServers: IceServer[] = [];
  if (config.stunUrls.length > 0) iceServers.push({ urls: config.stunUrls });
  let ttlSeconds: number | null = null;
  if (config.turnSecret && config.turnUrls.length > 0) {
    const c = turnCredentials(config.turnSecret, peerId, config.turnTtlSeconds, now);
    iceServers.push({ urls: config.turnUrls, username: c.username, credential: c.credential });
    ttlSeconds = config.turnTtlSeconds;
  }
  return { iceServers, ttlSeconds };
}
