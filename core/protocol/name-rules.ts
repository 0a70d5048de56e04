/**
 * Display names: what a valid name is, and when two names count as the same person's.
 * Shared by the client (it checks a name before joining) and the relay (it enforces uniqueness),
 * so both agree. Imports nothing.
 *
 * - A name is normalised with Unicode NFKC (full-width, ligatures and mathematical letters become
 *   plain ones), trimmed, inner whitespace collapsed.
 * - Refused: controls, bidi overrides, lone surrogates, and every invisible character a name
 *   could hide in: the default-ignorable code points of Unicode (zero-width space and joiners,
 *   soft hyphen, variation selectors, tags, …) and the blank fillers (Hangul fillers, braille blank).
 * - Two names are the same when their {@link nameKey}s are: lower case, then a confusable
 *   skeleton in the spirit of Unicode TS #39 — Cyrillic, Greek and Armenian letters that look
 *   like Latin ones, `0`/`o`, `1`/`I`/`l`/`i`, `rn`/`m` and `vv`/`w` count as the same.
 *   The table is a curated subset of TS #39's confusables.txt (the common Latin look-alikes),
 *   not the whole 6,000-entry file.
 */

/** Longest display name after normalisation, characters (code points). */
export const NAME_MAX_LENGTH = 64;

// C0/C1 controls; soft hyphen; combining grapheme joiner; Arabic letter mark; Hangul fillers;
// Khmer inherent vowels; Mongolian selectors; zero-width space/joiners, LRM/RLM; line/paragraph
// separators and bidi embeddings/overrides; word joiner, invisible operators, bidi isolates and
// deprecated format characters; braille blank; Hangul filler; variation selectors; BOM;
// half-width Hangul filler; reserved specials; shorthand format controls; musical format
// controls; tags and supplementary variation selectors; lone surrogates.
const INVISIBLE_OR_CONTROL = /[\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0000}-\u{e0fff}\ud800-\udfff]/u;

/** Lower-case look-alikes → the Latin letter they pass for (after lower-casing and NFD). */
const CONFUSABLES: Readonly<Record<string, string>> = {
  // Latin and digits
  '0': 'o', '1': 'l', 'i': 'l', '|': 'l', '\u0131': 'l', '\u0269': 'l', '\u01c0': 'l', '\u0251': 'a', '\u0261': 'g',
  // Cyrillic
  '\u0430': 'a', '\u0432': 'b', '\u0433': 'r', '\u0435': 'e', '\u0437': '3', '\u043a': 'k', '\u043c': 'm', '\u043d': 'h',
  '\u043e': 'o', '\u043f': 'n', '\u0440': 'p', '\u0441': 'c', '\u0442': 't', '\u0443': 'y', '\u0445': 'x', '\u044c': 'b',
  '\u0455': 's', '\u0456': 'l', '\u0458': 'j', '\u0501': 'd', '\u051b': 'q', '\u051d': 'w', '\u0475': 'v', '\u04af': 'y',
  '\u04bb': 'h', '\u04cf': 'l',
  // Greek
  '\u03b1': 'a', '\u03b2': 'b', '\u03b3': 'y', '\u03b5': 'e', '\u03b6': 'z', '\u03b7': 'h', '\u03b9': 'l', '\u03ba': 'k',
  '\u03bd': 'v', '\u03bf': 'o', '\u03c1': 'p', '\u03c3': 'o', '\u03c4': 't', '\u03c5': 'u', '\u03c7': 'x', '\u03c9': 'w',
  // Armenian
  '\u0585': 'o', '\u057d': 'u',
};
const CONFUSABLE_RE = new RegExp(`[${Object.keys(CONFUSABLES).map((c) => (c === '|' ? '\\|' : c)).join('')}]`, 'g');

/**
 * Normalises a display name: NFKC, surrounding whitespace trimmed, inner runs of whitespace
 * collapsed. Returns null when the result is empty, longer than {@link NAME_MAX_LENGTH}, or
 * contains a control, bidi-override, invisible or filler character, or a lone surrogate.
 */
export function normalizeName(v: unknown): string | null {
  if (typeof v !== 'string' || v.length > NAME_MAX_LENGTH * 4) return null;
  const name = v.normalize('NFKC').trim().replace(/\s+/g, ' ');
  if (name.length === 0 || [...name].length > NAME_MAX_LENGTH) return null;
  if (INVISIBLE_OR_CONTROL.test(name)) return null;
  return name;
}

/**
 * The key names are compared by: two names with the same key are one name in a room.
 * "Ada", "ada", "ＡＤＡ" (full-width) and "Аda" (Cyrillic А) have the same key.
 */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().normalize('NFD')
    .replace(CONFUSABLE_RE, (c) => CONFUSABLES[c])
    .replace(/rn/g, 'm').replace(/vv/g, 'w');
}

/** True when `s` has no lone UTF-16 surrogate (it can be encoded as UTF-8 and stored anywhere). */
export function isWellFormed(s: string): boolean {
  return !/[\ud800-\udfff]/u.test(s);
}
