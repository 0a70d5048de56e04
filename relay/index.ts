/** The relay as a library: start one in a process, a test or a web-test-runner plugin. */
export { RelayServer, type RelayDeps } from './relay-server.js';
export { resolveRelayOptions, DEFAULT_RELAY_OPTIONS, type RelayOptions, type RelayOptionsInput, type ReplayLimits, type StaticMount, type LogLevel } from './relay-options.js';
export type { RelayClock, RoomBackend, BackendContext, MemberSocket, Membership, RoomView, QualityReport } from './contracts.js';
export { RoomError } from './room-error.js';
export { Logger } from './logger.js';
export { parseRelayArgs, usage, CliError } from './cli-args.js';
export { createRoomToken, verifyRoomToken, type RoomTokenClaims } from './room-token.js';
export { turnCredentials, iceServersFor, type IceServer, type IceConfig } from './turn-credentials.js';
export { OriginPolicy } from './origin-policy.js';
