/** Response bodies of every size are read as bytes with one copy, and decode exactly like `response.text`. */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { HttpClientRequest, HttpClientResponse } from "effect/http"
import { bodyText, readBody } from "../src/internal/bodyText.ts"

const request = HttpClientRequest.get("http://127.0.0.1/api/rest/2.0/searchdata")

/** A response streaming `bytes` in chunks of `chunkSize` (so multi-byte characters are split), with `declared` as Content-Length. */
const response = (bytes: Uint8Array, chunkSize: number, declared: number | undefined) => {
  let offset = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close()
      controller.enqueue(bytes.slice(offset, offset + chunkSize))
      offset += chunkSize
    }
  })
  return HttpClientResponse.fromWeb(
    request,
    new Response(body, { headers: declared === undefined ? {} : { "content-length": String(declared) } })
  )
}

// ~2.4 MB of rows with two-byte and four-byte characters, and a big integer per row
const page = `[${Array.from({ length: 40_000 }, (_, i) => `[${9_007_199_254_740_993n + BigInt(i)},"Île-de-France 茶具 🚚 ${i}"]`).join(",")}]`
const bytes = new TextEncoder().encode(page)

describe("bodyText", () => {
  it.effect("large-body-split-mid-character-decodes-exactly", () =>
    Effect.gen(function* () {
      expect(bytes.length).toBeGreaterThan(1024 * 1024)
      expect(yield* bodyText(response(bytes, 1000, bytes.length))).toBe(page)
    })
  )

  it.effect("large-body-drops-a-byte-order-mark-like-text-does", () =>
    Effect.gen(function* () {
      const withBom = new Uint8Array(bytes.length + 3)
      withBom.set([0xef, 0xbb, 0xbf])
      withBom.set(bytes, 3)
      const viaText = yield* response(withBom, 65_536, withBom.length).text
      expect(yield* bodyText(response(withBom, 65_536, withBom.length))).toBe(viaText)
      expect(viaText).toBe(page)
    })
  )

  it.effect("body-longer-than-announced-still-arrives-whole", () =>
    Effect.gen(function* () {
      expect(yield* bodyText(response(bytes, 65_536, 1024 * 1024))).toBe(page)
    })
  )

  it.effect("unannounced-chunked-body-grows-and-decodes-exactly", () =>
    Effect.gen(function* () {
      expect(yield* bodyText(response(bytes, 65_536, undefined))).toBe(page)
      // Many tiny chunks: the buffer doubles from its small start several times.
      expect(yield* bodyText(response(bytes, 777, undefined))).toBe(page)
    })
  )

  it.effect("small-body-gives-its-exact-bytes-without-a-text-round-trip", () =>
    Effect.gen(function* () {
      const small = new TextEncoder().encode('{"token":"abc","name":"Zoë 🚚"}')
      const body = yield* readBody(response(small, 4, small.length))
      expect(Buffer.from(body.bytes).equals(Buffer.from(small))).toBe(true)
      expect(body.text).toBe('{"token":"abc","name":"Zoë 🚚"}')
      const viaText = yield* bodyText(response(small, 4, small.length))
      expect(viaText).toBe(yield* response(small, 4, small.length).text)
    })
  )

  it.effect("chunked-body-gives-its-exact-bytes", () =>
    Effect.gen(function* () {
      const body = yield* readBody(response(bytes, 3001, undefined))
      expect(body.bytes.length).toBe(bytes.length)
      expect(Buffer.from(body.bytes).equals(Buffer.from(bytes))).toBe(true)
      // Text made afterwards from those bytes is the same as undici's.
      expect(body.text).toBe(page)
    })
  )

  it.effect("empty-body-reads-as-empty", () =>
    Effect.gen(function* () {
      const announced = yield* readBody(response(new Uint8Array(0), 10, 0))
      expect(announced.bytes.length).toBe(0)
      expect(announced.text).toBe("")
      const chunked = yield* readBody(response(new Uint8Array(0), 10, undefined))
      expect(chunked.text).toBe("")
      const none = yield* readBody(HttpClientResponse.fromWeb(request, new Response(null, { status: 401 })))
      expect(none.bytes.length).toBe(0)
    })
  )

  it.effect("small-body-drops-a-byte-order-mark-from-bytes-and-text", () =>
    Effect.gen(function* () {
      const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("[1]")])
      const body = yield* readBody(response(withBom, 2, undefined))
      expect(Buffer.from(body.bytes).toString("latin1")).toBe("[1]")
      expect(body.text).toBe(yield* response(withBom, 2, undefined).text)
    })
  )
})
