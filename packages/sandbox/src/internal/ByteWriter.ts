/**
 * A growable byte buffer for writing JSON text directly as UTF-8: integers as digits, pre-encoded strings by copy.
 * Page bodies are written this way because building JS strings (or `JSON.stringify` of row arrays) is several
 * times slower than `JSON.parse` of the result, and the sandbox must outpace its clients. The `put*` functions
 * write at a position without bounds checks, for hot loops that `ensure` room once per row.
 */

const encoder = new TextEncoder()

/** "00".."99" as ASCII byte pairs. */
const pairs = new Uint8Array(200)
for (let i = 0; i < 100; i++) {
  pairs[i * 2] = 48 + Math.floor(i / 10)
  pairs[i * 2 + 1] = 48 + (i % 10)
}

/**
 * "0000".."9999" as four ASCII bytes packed little-endian into one number, so that `DataView.setUint32(p, quads[v],
 * true)` writes four digits at once (used with fixed-width numbers in hot loops).
 */
export const quads = new Uint32Array(10000)
for (let i = 0; i < 10000; i++) {
  const d = String(i).padStart(4, "0")
  quads[i] = (d.charCodeAt(0) | (d.charCodeAt(1) << 8) | (d.charCodeAt(2) << 16) | (d.charCodeAt(3) << 24)) >>> 0
}

/**
 * Writes a non-negative integer below 2^31 at `p` four digits per store (`view` is a view of `buf`); may write up
 * to three bytes past the digits, which the caller overwrites next. Returns the position after the digits.
 */
export const putUintWords = (buf: Uint8Array, view: DataView, p: number, value: number): number => {
  let v = value
  let q = p
  if (v >= 100000000) {
    const top = (v / 100000000) | 0
    v -= top * 100000000
    if (top >= 10) {
      view.setUint32(q, quads[top]! >>> 16, true)
      q += 2
    } else buf[q++] = 48 + top
    const hi = (v / 10000) | 0
    view.setUint32(q, quads[hi]!, true)
    view.setUint32(q + 4, quads[v - hi * 10000]!, true)
    return q + 8
  }
  if (v >= 10000) {
    const hi = (v / 10000) | 0
    v -= hi * 10000
    q = putSmall(buf, view, q, hi)
    view.setUint32(q, quads[v]!, true)
    return q + 4
  }
  return putSmall(buf, view, q, v)
}

/** 0..9999 without leading zeros. */
const putSmall = (buf: Uint8Array, view: DataView, p: number, v: number): number => {
  if (v < 10) {
    buf[p] = 48 + v
    return p + 1
  }
  const n = v < 100 ? 2 : v < 1000 ? 3 : 4
  view.setUint32(p, quads[v]! >>> ((4 - n) << 3), true)
  return p + n
}

/** `putUintWords` for integers of either sign above -2^31; larger magnitudes take `putInt`. */
export const putIntWords = (buf: Uint8Array, view: DataView, p: number, value: number): number => {
  if (value >= 0) return value < 2147483648 ? putUintWords(buf, view, p, value) : putInt(buf, p, value)
  if (value <= -2147483648) return putInt(buf, p, value)
  buf[p] = 45
  return putUintWords(buf, view, p + 1, -value)
}

/** UTF-8 bytes of a string (for pre-encoding small domains once). */
export const utf8 = (text: string): Uint8Array => encoder.encode(text)

/** Writes a non-negative safe integer at `p`; returns the position after it. */
export const putUint = (buf: Uint8Array, p: number, value: number): number => {
  if (value >= 2147483648) return putBigUint(buf, p, value)
  // Below 2^31 the division can use int32 arithmetic (`| 0`), several times faster than Math.floor on doubles.
  let v = value | 0
  const digits =
    v < 100000
      ? v < 100
        ? v < 10
          ? 1
          : 2
        : v < 1000
          ? 3
          : v < 10000
            ? 4
            : 5
      : v < 10000000
        ? v < 1000000
          ? 6
          : 7
        : v < 100000000
          ? 8
          : v < 1000000000
            ? 9
            : 10
  const end = p + digits
  let q = end
  // Two digits per step from a pair table.
  while (v >= 100) {
    const next = (v / 100) | 0
    const r = (v - next * 100) << 1
    buf[--q] = pairs[r + 1]!
    buf[--q] = pairs[r]!
    v = next
  }
  if (v >= 10) {
    buf[--q] = pairs[(v << 1) + 1]!
    buf[--q] = pairs[v << 1]!
  } else buf[--q] = 48 + v
  return end
}

/** `putUint` for values from 2^31 up to 2^53. */
const putBigUint = (buf: Uint8Array, p: number, value: number): number => {
  let v = value
  let digits = 1
  for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++
  const end = p + digits
  let q = end
  while (v >= 10) {
    const next = Math.floor(v / 10)
    buf[--q] = 48 + (v - next * 10)
    v = next
  }
  buf[--q] = 48 + v
  return end
}

/** Writes a safe integer of either sign at `p` (TIME cells east of UTC are negative); returns the next position. */
export const putInt = (buf: Uint8Array, p: number, value: number): number => {
  if (value >= 0) return putUint(buf, p, value)
  buf[p] = 45
  return putUint(buf, p + 1, -value)
}

/** Writes a non-negative integer below 10^width, zero-padded to `width` digits; returns the next position. */
export const putPadded = (buf: Uint8Array, p: number, value: number, width: number): number => {
  let v = value
  const end = p + width
  let q = end
  let k = width
  if (v < 2147483648) {
    let w = v | 0
    for (; k >= 2; k -= 2) {
      const next = (w / 100) | 0
      const r = (w - next * 100) << 1
      buf[--q] = pairs[r + 1]!
      buf[--q] = pairs[r]!
      w = next
    }
    if (k === 1) buf[--q] = 48 + (w % 10)
    return end
  }
  for (; k > 0; k--) {
    const next = Math.floor(v / 10)
    buf[--q] = 48 + (v - next * 10)
    v = next
  }
  return end
}

/** Copies pre-encoded bytes at `p`; returns the next position. */
export const putBytes = (buf: Uint8Array, p: number, src: Uint8Array): number => {
  const n = src.length
  if (n < 24) {
    for (let i = 0; i < n; i++) buf[p + i] = src[i]!
  } else buf.set(src, p)
  return p + n
}

/**
 * Writes cents as the shortest decimal JSON text of cents/100 (what `String(cents / 100)` prints), e.g.
 * 12345 → 123.45, 12340 → 123.4, 12300 → 123; returns the next position.
 */
export const putCents = (buf: Uint8Array, p: number, cents: number): number => {
  let c = cents
  let q = p
  if (c < 0) {
    buf[q++] = 45
    c = -c
  }
  const whole = Math.floor(c / 100)
  const frac = c - whole * 100
  q = putUint(buf, q, whole)
  if (frac === 0) return q
  buf[q++] = 46
  const tens = Math.floor(frac / 10)
  const ones = frac - tens * 10
  buf[q++] = 48 + tens
  if (ones !== 0) buf[q++] = 48 + ones
  return q
}

/** Appends JSON text into one growing buffer; `take()` hands out the bytes written so far. */
export class ByteWriter {
  buf: Buffer
  pos = 0
  /** Starts with a new buffer of `initial` bytes, or writes over the given (reused) buffer from its start. */
  constructor(initial: number | Buffer = 1 << 16) {
    this.buf = typeof initial === "number" ? Buffer.allocUnsafe(initial) : initial
  }

  /** Makes room for at least `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    let cap = this.buf.length * 2
    while (cap < this.pos + n) cap *= 2
    const next = Buffer.allocUnsafe(cap)
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  /** One ASCII byte. */
  byte(b: number): void {
    if (this.pos >= this.buf.length) this.ensure(1)
    this.buf[this.pos++] = b
  }

  /** Pre-encoded bytes. */
  bytes(src: Uint8Array): void {
    this.ensure(src.length)
    this.pos = putBytes(this.buf, this.pos, src)
  }

  /** Any string, UTF-8 encoded (slow path for rare values). */
  text(s: string): void {
    this.ensure(s.length * 3)
    this.pos += encoder.encodeInto(s, this.buf.subarray(this.pos)).written
  }

  /** A safe integer as decimal digits. */
  int(value: number): void {
    this.ensure(24)
    this.pos = putInt(this.buf, this.pos, value)
  }

  /** A non-negative integer below 10^width, left-padded with zeros to `width` digits. */
  padded(value: number, width: number): void {
    this.ensure(width)
    this.pos = putPadded(this.buf, this.pos, value, width)
  }

  /** An amount in cents, as JSON text of cents/100. */
  cents(cents: number): void {
    this.ensure(24)
    this.pos = putCents(this.buf, this.pos, cents)
  }

  /** The bytes written so far (a view, not a copy); the writer must not be used afterwards. */
  take(): Buffer {
    return this.buf.subarray(0, this.pos)
  }
}
