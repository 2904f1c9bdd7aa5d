/** The byte-level JSON writers agree with JavaScript's own number printing for every input. */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ByteWriter, putCents, putPadded, putUint } from "../src/internal/ByteWriter.ts"

const text = (write: (buf: Uint8Array) => number) => {
  const buf = new Uint8Array(64)
  return Buffer.from(buf.subarray(0, write(buf))).toString("latin1")
}

describe("byte writers", () => {
  it("put-uint-prints-like-string", () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })), (v) => {
        expect(text((b) => putUint(b, 0, v))).toBe(String(v))
      })
    )
  })

  it("put-padded-zero-pads-to-width", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 15 }), fc.double({ min: 0, max: 1, noNaN: true }), (width, f) => {
        const v = Math.min(10 ** width - 1, Math.floor(f * 10 ** width))
        expect(text((b) => putPadded(b, 0, v, width))).toBe(String(v).padStart(width, "0"))
      })
    )
  })

  it("put-cents-prints-like-string-of-cents-over-100", () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (cents) => {
        expect(text((b) => putCents(b, 0, cents))).toBe(String(cents / 100))
      })
    )
  })

  it("writer-grows-and-encodes-utf8", () => {
    const w = new ByteWriter(4)
    w.text("Zoë 😀 ")
    w.int(-1234567)
    w.byte(44)
    w.cents(105)
    expect(w.take().toString("utf8")).toBe("Zoë 😀 -1234567,1.05")
  })
})
