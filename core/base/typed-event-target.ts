/**
 * An `EventTarget` whose `addEventListener` knows the event type of each name, from an event map
 * such as `{ 'state-change': CustomEvent<StateChange> }`.
 */
export class TypedEventTarget<M extends { [K in keyof M]: Event }> extends EventTarget {
  override addEventListener<K extends keyof M & string>(type: K, listener: ((ev: M[K]) => void) | { handleEvent(ev: M[K]): void } | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends keyof M & string>(type: K, listener: ((ev: M[K]) => void) | { handleEvent(ev: M[K]): void } | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options);
  }

  /** Dispatches a `CustomEvent` named `type` carrying `detail`. */
  protected emit<K extends keyof M & string>(type: K, detail: M[K] extends CustomEvent<infer D> ? D : never): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /** Re-emits `source`'s events under our names (`{ theirs: ours }`), detail unchanged. */
  protected forward(source: EventTarget, names: Record<string, keyof M & string>): void {
    for (const [theirs, ours] of Object.entries(names)) {
      source.addEventListener(theirs, (e) => this.dispatchEvent(new CustomEvent(ours, { detail: (e as CustomEvent).detail })));
    }
  }
}
