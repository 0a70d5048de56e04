/** Type guards the validators of every wire format share (relay frames, channel frames, file frames). */

export type Obj = Record<string, unknown>;

/** A plain object (not null, not an array). */
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A safe integer ≥ 0. */
export const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
/** A string of at most `max` UTF-16 units. */
export const isStr = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;
