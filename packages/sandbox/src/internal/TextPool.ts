/**
 * Many short pre-encoded texts packed into one byte array, addressed by number, and copied eight bytes per step:
 * `DataView` reads and writes of whole 64-bit words are several times faster in a hot loop than a byte loop or
 * `Uint8Array.set` (whose call overhead dwarfs a 10-byte copy). A copy may write up to seven bytes past the text
 * (the caller overwrites them next, and keeps that much room) and read past it (the pool is padded).
 */
import { utf8 } from "./ByteWriter.ts"

/** Pre-encoded texts: text k is `bytes[start[k] .. start[k] + length[k])`. */
export interface TextPool {
  readonly bytes: Uint8Array
  readonly view: DataView
  readonly start: Int32Array
  readonly length: Int32Array
}

/** Bytes a copy may write past the end of a text. */
export const copySlack = 8

/** A `DataView` over exactly the bytes of `b`. */
export const viewOf = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength)

/**
 * Packs texts (already JSON, e.g. quoted and escaped strings, digits) into one pool. The words are moved as
 * float64 values, which is exact for every bit pattern except NaNs; a word is a NaN only if its top byte (the
 * eighth byte of the window, little-endian) is 0x7F or 0xFF. UTF-8 never contains 0xFF, so only DEL (0x7F) could
 * make one, and it is refused here.
 */
export const makeTextPool = (texts: ReadonlyArray<string>): TextPool => {
  const encoded = texts.map(utf8)
  const total = encoded.reduce((n, e) => n + e.length, 0)
  const bytes = new Uint8Array(total + copySlack)
  const start = new Int32Array(texts.length)
  const length = new Int32Array(texts.length)
  let p = 0
  encoded.forEach((e, k) => {
    start[k] = p
    length[k] = e.length
    bytes.set(e, p)
    p += e.length
  })
  if (bytes.includes(0x7f)) throw new Error("a pooled text contains DEL (0x7F), which word copies cannot move")
  return { bytes, view: viewOf(bytes), start, length }
}

/** Copies text k of `pool` to `out` (a view of the output) at `p`; returns the position after it. */
export const putText = (out: DataView, p: number, pool: TextPool, k: number): number => {
  const s = pool.start[k]!
  const n = pool.length[k]!
  const src = pool.view
  for (let j = 0; j < n; j += 8) out.setFloat64(p + j, src.getFloat64(s + j, true), true)
  return p + n
}
