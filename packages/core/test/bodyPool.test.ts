/**
 * Response-body buffers kept for reuse (BodyPool.ts), and a body given back: it cannot be read any more.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { HttpClientRequest, HttpClientResponse } from "effect/http"
import * as BodyPool from "../src/internal/BodyPool.ts"
import { readBody } from "../src/internal/bodyText.ts"

const KiB = 1024

describe("BodyPool", () => {
  it("gives-a-kept-buffer-back-for-a-body-that-fits-and-a-new-one-otherwise", () => {
    const pool = BodyPool.make(2)
    const first = pool.take(100 * KiB)
    expect(first.length).toBeGreaterThanOrEqual(100 * KiB)
    pool.give(first)
    expect(pool.free()).toBe(1)
    // A little longer still fits (new buffers have room to spare).
    expect(pool.take(105 * KiB)).toBe(first)
    expect(pool.free()).toBe(0)
    pool.give(first)
    const larger = pool.take(200 * KiB)
    expect(larger).not.toBe(first)
    expect(pool.free()).toBe(1)
  })

  it("takes-the-smallest-kept-buffer-that-fits", () => {
    const pool = BodyPool.make(3)
    const small = pool.take(100 * KiB)
    const big = pool.take(400 * KiB)
    pool.give(big)
    pool.give(small)
    expect(pool.take(90 * KiB)).toBe(small)
    expect(pool.take(90 * KiB)).toBe(big)
  })

  it("keeps-at-most-max-free-buffers-preferring-larger-ones-and-ignores-small-ones", () => {
    const pool = BodyPool.make(2)
    const [a, b, c] = [pool.take(100 * KiB), pool.take(200 * KiB), pool.take(300 * KiB)]
    pool.give(a)
    pool.give(b)
    pool.give(c) // full: replaces the smallest (a)
    expect(pool.free()).toBe(2)
    expect(pool.take(150 * KiB)).toBe(b)
    expect(pool.take(150 * KiB)).toBe(c)
    pool.give(pool.take(1 * KiB)) // token-sized bodies are not kept
    expect(pool.free()).toBe(0)
    pool.give(b)
    // Nor do they take a kept buffer: a token call must not carry off a page's.
    expect(pool.take(1 * KiB)).not.toBe(b)
    expect(pool.free()).toBe(1)
    pool.take(150 * KiB)
    pool.give(c)
    pool.give(c) // given twice: kept once
    expect(pool.free()).toBe(1)
  })
})

describe("a released body", () => {
  const response = (text: string) =>
    HttpClientResponse.fromWeb(
      HttpClientRequest.get("http://127.0.0.1/"),
      new Response(text, { headers: { "content-length": String(Buffer.byteLength(text)) } })
    )

  it.effect("goes-back-to-its-pool-once-and-cannot-be-read-afterwards", () =>
    Effect.gen(function* () {
      const pool = BodyPool.make(2)
      const text = `{"rows":"${"x".repeat(80 * KiB)}"}`
      const body = yield* readBody(response(text), pool)
      expect(body.text).toBe(text)
      body.release()
      body.release()
      expect(pool.free()).toBe(1)
      expect(() => body.bytes).toThrow(/released/)
      expect(() => body.text).toThrow(/released/)
      // The next body of that size is read into the same memory, and reads right.
      const next = `{"rows":"${"y".repeat(80 * KiB)}"}`
      const again = yield* readBody(response(next), pool)
      expect(pool.free()).toBe(0)
      expect(Buffer.from(again.bytes).toString("utf8")).toBe(next)
    })
  )
})
