/**
 * The `malformed` fault's damage: a marker spliced into a JSON body where it can only break the syntax.
 * Splicing at the byte midpoint could land inside a string and leave valid JSON with an altered cell, which
 * no client can tell from real data; so the marker goes at the first position past the midpoint that lies
 * outside every string.
 */

const MARKER = Buffer.from("<<corrupted>>")
const QUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * The first offset at or after `from` that is outside a JSON string (scanning from the start; quote and
 * backslash bytes never occur inside UTF-8 multibyte sequences, so bytes suffice).
 */
const outsideStringAt = (body: Uint8Array, from: number): number => {
  let inString = false
  for (let i = 0; i < body.length; i++) {
    if (!inString && i >= from) return i
    const b = body[i]!
    if (inString) {
      if (b === BACKSLASH) i++
      else if (b === QUOTE) inString = false
    } else if (b === QUOTE) inString = true
  }
  return body.length
}

/** The body with the marker spliced in past its middle, outside any string: never valid JSON. */
export const corruptJson = (body: Buffer): ReadonlyArray<Buffer> => {
  const at = outsideStringAt(body, Math.floor(body.length / 2))
  return [body.subarray(0, at), MARKER, body.subarray(at)]
}
