/**
 * Reads a response body as UTF-8 text with a single copy of its bytes.
 *
 * `response.text` (undici) keeps every chunk until the body ends, joins them into a second buffer of the same
 * size and decodes that: two page-sized blocks of external memory per data page, alive together, and freed
 * only when V8 next collects. Here each chunk is copied into one buffer sized from `Content-Length` as it
 * arrives (so the chunk is garbage at once) and the buffer is decoded once. Only bodies announced as large take
 * this path: small ones (tokens, errors, metadata) are not worth it, and unannounced sizes (chunked) keep the
 * ordinary path rather than guess.
 */
import { Effect, Stream } from "effect"
import type { HttpClientError, HttpClientResponse } from "effect/http"

/** Bodies from this size on are read with one copy. */
const LARGE = 1024 * 1024
/** A `Content-Length` above this is not trusted for sizing the buffer up front; it then grows as bytes arrive. */
const MAX_PRESIZE = 512 * 1024 * 1024

/** The body of `response` as text (UTF-8, a leading byte order mark dropped as `TextDecoder` does). */
export const bodyText = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string, HttpClientError.HttpClientError> => {
  const declared = Number(response.headers["content-length"])
  if (!(Number.isSafeInteger(declared) && declared >= LARGE)) return response.text
  // A body cut short leaves the buffer partly filled: the stream fails then, so no partial text escapes.
  let buffer = Buffer.allocUnsafe(Math.min(declared, MAX_PRESIZE))
  let length = 0
  return Stream.runForEach(response.stream, (chunk) =>
    Effect.sync(() => {
      if (length + chunk.length > buffer.length) {
        const grown = Buffer.allocUnsafe(Math.max(buffer.length * 2, length + chunk.length))
        buffer.copy(grown, 0, 0, length)
        buffer = grown
      }
      buffer.set(chunk, length)
      length += chunk.length
    })
  ).pipe(
    Effect.map(() => {
      const bom = length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0
      const text = buffer.toString("utf8", bom, length)
      buffer = Buffer.alloc(0) // the bytes are no longer needed; do not keep them reachable from this closure
      return text
    })
  )
}
