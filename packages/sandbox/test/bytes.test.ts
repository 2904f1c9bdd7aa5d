/** The byte-level JSON writers agree with JavaScript's own number printing for every input. */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ByteWriter, putCents, putIntWords, putPadded, putUint, putUintWords } from "../src/internal/ByteWriter.ts"
import { makeTextPool, putText, viewOf } from "../src/internal/TextPool.ts"

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

  it("word-writers-print-like-string-and-only-scribble-past-the-end", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -9999, max: 9999 }), fc.integer({ min: -(2 ** 31) - 5, max: 2 ** 31 + 5 })),
        (v) => {
          const buf = new Uint8Array(32).fill(35)
          const end = putIntWords(buf, viewOf(buf), 2, v)
          expect(Buffer.from(buf.subarray(2, end)).toString("latin1")).toBe(String(v))
          expect(buf[0]).toBe(35)
          expect(buf[1]).toBe(35)
          if (v >= 0 && v < 2 ** 31) expect(putUintWords(buf, viewOf(buf), 0, v)).toBe(String(v).length)
        }
      )
    )
  })

  it("text-pool-copies-each-text-exactly", () => {
    // Any Unicode text but DEL (refused, see below).
    const text = fc.string({ unit: "grapheme", maxLength: 30 }).filter((t) => !t.includes("\u007f"))
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 20 }), (texts) => {
        const pool = makeTextPool(texts.map((t) => JSON.stringify(t)))
        const buf = new Uint8Array(2048)
        const view = viewOf(buf)
        let p = 0
        for (let k = texts.length - 1; k >= 0; k--) p = putText(view, p, pool, k)
        const expected = texts
          .map((t) => JSON.stringify(t))
          .reverse()
          .join("")
        expect(Buffer.from(buf.subarray(0, p)).toString("utf8")).toBe(expected)
      })
    )
  })

  it("text-pool-refuses-del-which-word-copies-cannot-move", () => {
    expect(() => makeTextPool(["ok", "a\u007fb"])).toThrow(/DEL/)
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
