/**
 * Where the relay keeps each room's recent messages for replay. The in-memory store is the
 * default; a Redis-backed store implements the same interface for several relay nodes.
 * Methods are async so that a networked store fits; callers serialise them per room.
 */
export interface StoredMessage {
  /** Room sequence number, 1-based and gap-free within an epoch. */
  seq: number;
  /** Sender peer id. */
  from: string;
  /** Sender's display name when it sent the message. */
  name: string;
  /** Sender's message number. */
  n: number;
  data: unknown;
  /** Sender's clock when sent, ms since the Unix epoch (for display). */
  sentAt: number;
  /** Relay receive time, ms since the Unix epoch. */
  at: number;
  /** Serialized size of `data`, counted against the byte limit. */
  bytes: number;
  /** The message frame as sent to members, serialised once. */
  json: string;
}

/** What `since` found. */
export interface ReplaySlice {
  /** Messages with `seq` greater than the asked sequence, oldest first. */
  messages: StoredMessage[];
  /** Oldest sequence number still held, or the next sequence number when the buffer is empty. */
  firstSeq: number;
}

export interface MessageStore {
  /** Stores a message and trims the room's buffer to its limits. */
  append(room: string, message: StoredMessage, now: number): Promise<void>;
  /** Messages after `seq` still held, after dropping those past their age. */
  since(room: string, seq: number, now: number): Promise<ReplaySlice>;
  /** The stored message with this id, if still held (used to acknowledge resent publishes). */
  find(room: string, from: string, n: number): Promise<StoredMessage | undefined>;
  /** Drops messages past the age limit. */
  trim(room: string, now: number): Promise<void>;
  /** Forgets the room entirely (its last member left). */
  dropRoom(room: string): Promise<void>;
  /** Bytes of message data held across all rooms (for metrics). */
  totalBytes(): number;
  /** Releases connections and timers. Idempotent. */
  close(): Promise<void>;
}
