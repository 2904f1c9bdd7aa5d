/**
 * A growable byte buffer for writing JSON text directly as UTF-8: integers as digits, pre-encoded strings by copy.
 * Page bodies are written this way because building JS strings (or `JSON.stringify` of row arrays) is several
 * times slower than `JSON.parse` of the result, and the sandbox must outpace its clients.
 */

const encoder = new TextEncoder()

/** "00".."99" as ASCII byte pairs. */
const pairs = new Uint8Array(200)
for (let i = 0; i < 100; i++) {
  pairs[i * 2] = 48 + Math.floor(i / 10)
  pairs[i * 2 + 1] = 48 + (i % 10)
}

/** UTF-8 bytes of a string (for pre-encoding small domains once). */
export const utf8 = (text: string): Uint8Array => encoder.encode(text)

/** Appends JSON text into one growing buffer; `take()` hands out the bytes written so far. */
export class ByteWriter {
  buf: Uint8Array
  pos = 0
  constructor(initialCapacity = 1 << 16) {
    this.buf = new Uint8Array(initialCapacity)
  }

  /** Makes room for at least `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    let cap = this.buf.length * 2
    while (cap < this.pos + n) cap *= 2
    const next = new Uint8Array(cap)
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
  }

  /** One ASCII byte. */
  byte(b: number): void {
    if (this.pos >= this.buf.length) this.ensure(1)
    this.buf[this.pos++] = b
  }

  /** Pre-encoded bytes. */
  bytes(src: Uint8Array): void {
    const n = src.length
    this.ensure(n)
    const buf = this.buf
    let p = this.pos
    if (n < 32) {
      for (let i = 0; i < n; i++) buf[p++] = src[i]!
    } else {
      buf.set(src, p)
      p += n
    }
    this.pos = p
  }

  /** Any string, UTF-8 encoded (slow path for rare values). */
  text(s: string): void {
    this.ensure(s.length * 3)
    this.pos += encoder.encodeInto(s, this.buf.subarray(this.pos)).written
  }

  /** A safe integer as decimal digits. */
  int(value: number): void {
    this.ensure(24)
    const buf = this.buf
    let v = value
    if (v < 0) {
      buf[this.pos++] = 45
      v = -v
    }
    let digits = 1
    if (v >= 1e8) {
      for (let t = v / 1e8; t >= 1; t /= 10) digits++
      digits += 7
    } else if (v >= 1e4) digits = v >= 1e6 ? (v >= 1e7 ? 8 : 7) : v >= 1e5 ? 6 : 5
    else if (v >= 100) digits = v >= 1000 ? 4 : 3
    else if (v >= 10) digits = 2
    let p = this.pos + digits
    this.pos = p
    // Two digits per step from a pair table: integer division is the costly part of printing numbers.
    while (v >= 100) {
      const q = Math.floor(v / 100)
      const r = (v - q * 100) << 1
      buf[--p] = pairs[r + 1]!
      buf[--p] = pairs[r]!
      v = q
    }
    if (v >= 10) {
      buf[--p] = pairs[(v << 1) + 1]!
      buf[--p] = pairs[v << 1]!
    } else buf[--p] = 48 + v
  }

  /** A non-negative integer below 10^width, left-padded with zeros to `width` digits. */
  padded(value: number, width: number): void {
    this.ensure(width)
    const buf = this.buf
    let v = value
    let p = this.pos + width
    this.pos = p
    for (let k = 0; k < width; k++) {
      const q = Math.floor(v / 10)
      buf[--p] = 48 + (v - q * 10)
      v = q
    }
  }

  /**
   * An amount in cents as the shortest decimal JSON text of cents/100 (what `String(cents / 100)` prints),
   * e.g. 12345 → 123.45, 12340 → 123.4, 12300 → 123.
   */
  cents(cents: number): void {
    let c = cents
    if (c < 0) {
      this.byte(45)
      c = -c
    }
    const whole = Math.floor(c / 100)
    const frac = c - whole * 100
    this.int(whole)
    if (frac === 0) return
    this.ensure(3)
    const buf = this.buf
    buf[this.pos++] = 46
    const tens = Math.floor(frac / 10)
    const ones = frac - tens * 10
    buf[this.pos++] = 48 + tens
    if (ones !== 0) buf[this.pos++] = 48 + ones
  }

  /** The bytes written so far, as a Buffer copy; resets the writer. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos))
    this.pos = 0
    return out
  }
}
