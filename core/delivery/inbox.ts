/** A room message as it arrives, by whichever path (`via` is the caller's label). */
export interface Arrival { from: string; n: number; data: unknown; sentAt: number; via?: string }

/**
 * How far past the next deliverable message a sender's message may be and still be held. A member
 * is another user's browser: one that sends far-future numbers must not fill our memory, so at
 * most this many messages per sender wait for earlier ones. A message beyond is let go; it is
 * asked for again (or comes through the relay) once its turn is near. No honest sender is that
 * far ahead: it keeps 1000 messages for repairs. Arrivals `via` the relay (`relay`, `replay`) are
 * exempt: the relay numbers each sender's messages consecutively itself.
 */
export const MAX_AHEAD_PER_SENDER = 10_000;

/** Messages of one sender known to exist but not received: `fromN..toN`. */
export interface Gap { from: string; fromN: number; toN: number; /** clock ms when first seen */ since: number }

interface Sender {
  /** Next message number to deliver; null until anchored. */
  next: number | null;
  /** Received out of order, waiting for the ones before them. */
  held: Map<number, Arrival>;
  /** Highest message number known to exist (seen, or reported by the relay). */
  known: number;
  /** When the current gap was first seen. */
  gapSince: number | null;
}

/**
 * The receiving side of exactly-once delivery. Messages are identified by (sender, n) with n
 * counting up from 1 per sender; the inbox delivers each once, in per-sender order, whatever
 * path brought it first (data channel, relay, replay, repair). Messages that arrive early wait
 * for the ones before them; missing ranges are reported as {@link Gap}s until they are filled or
 * declared lost with {@link skip}.
 */
export class Inbox {
  readonly #senders = new Map<string, Sender>();
  /** Arrivals dropped because they had already been delivered or were already held. */
  duplicates = 0;
  /** Arrivals dropped because they were more than {@link MAX_AHEAD_PER_SENDER} ahead. */
  tooFarAhead = 0;

  readonly #now: () => number;
  constructor(now: () => number) {
    this.#now = now;
  }

  /** Accepts one arrival; returns the messages now deliverable, in order. */
  receive(a: Arrival): Arrival[] {
    const s = this.#sender(a.from);
    if (s.next === null) s.next = a.n; // first sight (history on a fresh join): start here
    if (a.n < s.next || s.held.has(a.n)) {
      this.duplicates++;
      return [];
    }
    if (a.n - s.next >= MAX_AHEAD_PER_SENDER && a.via !== 'relay' && a.via !== 'replay') {
      this.tooFarAhead++;
      return [];
    }
    s.held.set(a.n, a);
    if (a.n > s.known) s.known = a.n;
    return this.#drain(s);
  }

  /** How many of `from`'s messages wait for earlier ones. */
  held(from: string): number {
    return this.#senders.get(from)?.held.size ?? 0;
  }

  /**
   * Starts expecting `from`'s messages at `next` (no earlier ones are owed). Has no effect on a
   * sender already anchored, except to move past a point with nothing held before it.
   */
  anchor(from: string, next: number): void {
    const s = this.#sender(from);
    if (s.next === null) s.next = next;
    else if (next > s.next && ![...s.held.keys()].some((n) => n < next)) s.next = next;
    this.#noteGap(s);
  }

  /** True when `from` has been anchored (its position is known). */
  knows(from: string): boolean {
    return this.#senders.get(from)?.next != null;
  }

  /** Records that `from` has sent messages up to `lastN` (from the relay's member list). */
  expect(from: string, lastN: number): void {
    const s = this.#sender(from);
    if (lastN > s.known) s.known = lastN;
    this.#noteGap(s);
  }

  /** Open gaps, one per sender at most (the first missing range). */
  gaps(): Gap[] {
    const out: Gap[] = [];
    for (const [from, s] of this.#senders) {
      if (s.next === null || s.gapSince === null) continue;
      let firstHeld = s.known + 1;
      for (const n of s.held.keys()) if (n < firstHeld) firstHeld = n; // no spread: held may be large
      out.push({ from, fromN: s.next, toN: firstHeld - 1, since: s.gapSince });
    }
    return out;
  }

  /**
   * Declares `from`'s messages up to `toN` lost: delivery moves past them. Returns how many were
   * given up and what became deliverable.
   */
  skip(from: string, toN: number): { lost: number; delivered: Arrival[] } {
    const s = this.#senders.get(from);
    if (!s || s.next === null || toN < s.next) return { lost: 0, delivered: [] };
    // By what is held, not by counting through the range: a hostile sender's range may reach 2^53.
    const out = [...s.held.keys()].filter((n) => n <= toN).sort((x, y) => x - y).map((n) => {
      const held = s.held.get(n)!;
      s.held.delete(n);
      return held;
    });
    const lost = toN - s.next + 1 - out.length;
    s.next = toN + 1;
    s.gapSince = null;
    return { lost, delivered: [...out, ...this.#drain(s)] };
  }

  #sender(from: string): Sender {
    let s = this.#senders.get(from);
    if (!s) this.#senders.set(from, (s = { next: null, held: new Map(), known: 0, gapSince: null }));
    return s;
  }

  #drain(s: Sender): Arrival[] {
    const out: Arrival[] = [];
    while (s.next !== null) {
      const a = s.held.get(s.next);
      if (!a) break;
      s.held.delete(s.next);
      out.push(a);
      s.next++;
    }
    if (out.length > 0) s.gapSince = null;
    this.#noteGap(s);
    return out;
  }

  #noteGap(s: Sender): void {
    const open = s.next !== null && (s.held.size > 0 || s.known >= s.next);
    if (!open) s.gapSince = null;
    else if (s.gapSince === null) s.gapSince = this.#now();
  }
}
