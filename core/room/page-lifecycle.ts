/**
 * Leaves a room when its page goes away and rejoins when the page comes back from the
 * back/forward cache: on `pagehide` the relay is told at once, so a reload never finds its own
 * name taken by a ghost of the previous page.
 */
export class PageLifecycle {
  private leftOnHide = false;
  private readonly onHide = () => {
    if (this.hooks.active()) {
      this.leftOnHide = true;
      this.hooks.leave();
    }
  };
  private readonly onShow = (e: Event) => {
    if (!(e as PageTransitionEvent).persisted || !this.leftOnHide) return;
    this.leftOnHide = false;
    this.hooks.rejoin();
  };

  constructor(private readonly target: EventTarget | null, private readonly hooks: { active(): boolean; leave(): void; rejoin(): void }) {
    target?.addEventListener('pagehide', this.onHide);
    target?.addEventListener('pageshow', this.onShow);
  }

  close(): void {
    this.target?.removeEventListener('pagehide', this.onHide);
    this.target?.removeEventListener('pageshow', this.onShow);
  }
}
