/**
 * What the CLI shows on a terminal. Names, messages and errors come from the server and may carry control
 * characters: an ESC sequence can rewrite the user's clipboard (OSC 52), move the cursor or recolour the screen,
 * a carriage return can overwrite a line, a bidi override can reorder what is read. Every line the CLI prints
 * goes through {@link inert} (text) or {@link jsonLine} (JSON) at its sink, so such characters are shown as
 * visible escapes instead of acting. Data files are never changed: exports are data.
 */

// C0 controls except tab and line feed, DEL, C1 controls, the Arabic letter mark, LRM/RLM, the bidi
// embeddings and overrides (U+202A–U+202E), the bidi isolates (U+2066–U+2069) and the line/paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

const visible = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`

/**
 * `text` with every terminal control character shown as a `\uXXXX` escape (ESC → `\u001b`); tab and line feed
 * stay as they are. Plain text (the common case) is returned unchanged.
 */
export const inert = (text: string): string => {
  unsafe.lastIndex = 0
  return unsafe.test(text) ? text.replace(unsafe, visible) : text
}

// JSON.stringify escapes C0 controls already; the rest of the set above is escaped the same way (still valid JSON
// that decodes to the same value).
const unsafeInJson = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/** `value` as one line of JSON, with no character in it that a terminal would act on. */
export const jsonLine = (value: unknown): string => {
  // A bigint is written as its digits in a string: exact, where a JSON number could be read rounded.
  const text = JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v))
  unsafeInJson.lastIndex = 0
  return unsafeInJson.test(text) ? text.replace(unsafeInJson, visible) : text
}

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 })

/** A count for people: thousands separated by `,` (`10,000`). JSON output keeps plain numbers. */
export const formatCount = (n: number | bigint): string => grouped.format(n)

/** `n` grouped and the word for its number: `1 row`, `1,024 rows`. */
export const plural = (n: number, one: string, many: string): string => `${formatCount(n)} ${n === 1 ? one : many}`
