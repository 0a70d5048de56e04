/**
 * Waits until the async `check()` resolves truthy, re-checking every few milliseconds; rejects
 * after `timeoutMs` with `what` (a function when it describes state seen while waiting) and the
 * last value or error. A check that throws counts as not yet (a store that is coming back, for
 * example).
 */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5000, what: string | (() => string) = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
