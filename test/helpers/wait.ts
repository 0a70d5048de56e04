/** Resolves with the next `type` event on `target` whose detail passes `pred`; rejects after `timeoutMs`. */
export function nextEvent<T = unknown>(target: EventTarget, type: string, pred: (detail: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.removeEventListener(type, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for "${type}"`));
    }, timeoutMs);
    const listener = (ev: Event) => {
      const detail = (ev as CustomEvent<T>).detail;
      if (!pred(detail)) return;
      clearTimeout(timer);
      target.removeEventListener(type, listener);
      resolve(detail);
    };
    target.addEventListener(type, listener);
  });
}

/**
 * Waits until `check()` is truthy, re-checking every few milliseconds; rejects after `timeoutMs`
 * with `what` in the message. For states that change without an event of their own.
 */
export async function until<T>(check: () => T, timeoutMs = 5000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** How long exactly-once checks keep listening after the expected count is reached, ms. */
export const SETTLE_MS = 2000;

/**
 * Keeps listening for `ms` after everything expected has arrived, so that a late duplicate (a
 * resend, a replay, a repair racing the direct path) is seen by the assertions that follow. This
 * is an observation window, not a wait for something to happen.
 */
export function settle(ms = SETTLE_MS): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
