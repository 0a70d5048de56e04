/** A room message as it arrives, by whichever path (`via` is the caller's label). */
export interface Arrival { from: string; n: number; data: unknown; sentAt: number; via?: string }

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
    s.held.set(a.n, a);
    if (a.n > s.known) s.known = a.n;
    return this.#drain(s);
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
      const firstHeld = s.held.size > 0 ? Math.min(...s.held.keys()) : s.known + 1;
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
    let lost = 0;
    const out: Arrival[] = [];
    for (let n = s.next; n <= toN; n++) {
      const held = s.held.get(n);
      if (held) {
        out.push(held);
        s.held.delete(n);
      } else {
        lost++;
      }
    }
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
