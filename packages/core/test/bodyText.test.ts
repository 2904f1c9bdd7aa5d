/** Large response bodies are read with one copy and decode exactly like `response.text`. */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { HttpClientRequest, HttpClientResponse } from "effect/http"
import { bodyText } from "../src/internal/bodyText.ts"

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

  it.effect("small-or-unannounced-bodies-take-the-ordinary-path", () =>
    Effect.gen(function* () {
      expect(yield* bodyText(response(bytes, 65_536, undefined))).toBe(page)
      const small = new TextEncoder().encode('{"token":"abc"}')
      expect(yield* bodyText(response(small, 4, small.length))).toBe('{"token":"abc"}')
    })
  )
})
