import type { RelayClock } from './contracts.js';

/** The real clock (the default); tests inject a fake one to expire grace periods in milliseconds. */
export const systemClock: RelayClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};
