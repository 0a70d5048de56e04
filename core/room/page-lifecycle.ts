/**
 * Leaves a room when its page goes away and rejoins when the page comes back from the
 * back/forward cache: on `pagehide` the relay is told at once, so a reload never finds its own
 * name taken by a ghost of the previous page.
 */
export class PageLifecycle {
  #leftOnHide = false;
  readonly #onHide = () => {
    if (this.#hooks.active()) {
      this.#leftOnHide = true;
      this.#hooks.leave();
    }
  };
  readonly #onShow = (e: Event) => {
    if (!(e as PageTransitionEvent).persisted || !this.#leftOnHide) return;
    this.#leftOnHide = false;
    this.#hooks.rejoin();
  };

  readonly #target: EventTarget | null;
  readonly #hooks: { active(): boolean; leave(): void; rejoin(): void };
  constructor(target: EventTarget | null, hooks: { active(): boolean; leave(): void; rejoin(): void }) {
    this.#target = target;
    this.#hooks = hooks;
    target?.addEventListener('pagehide', this.#onHide);
    target?.addEventListener('pageshow', this.#onShow);
  }

  close(): void {
    this.#target?.removeEventListener('pagehide', this.#onHide);
    this.#target?.removeEventListener('pageshow', this.#onShow);
  }
}
