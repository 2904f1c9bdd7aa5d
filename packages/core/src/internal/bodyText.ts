/**
 * Reads a response body as UTF-8 bytes with a single copy, and makes text of it only when asked.
 *
 * `response.text` (undici) keeps every chunk until the body ends, joins them into a second buffer of the same
 * size and decodes that: two page-sized blocks of external memory per data page, alive together, and freed
 * only when V8 next collects; a caller that then wants bytes (rows read in place) pays a second
 * encode. Here each chunk is copied into one buffer as it arrives (so the chunk is garbage at once): sized from
 * `Content-Length` when the server announces it, else grown by doubling from a small start (chunked bodies).
 * Every body takes this path, small ones too: one way to read is simpler, and tokens or error bodies are cheap
 * either way.
 *
 * {@link readBody} gives the body both ways, each made on first use: the bytes (for rows read
 * from them in place, never decoding the whole body) or the text (decoded once; the bytes are then let go, so
 * a page is never held twice). With a {@link BodyPool}, an announced body is read into a kept buffer, which
 * {@link Body.release} gives back once its reader is done with it.
 */
import { promisify } from "node:util"
import * as zlib from "node:zlib"
import { Effect, Option, Stream } from "effect"
import { type HttpClientError, HttpClientResponse } from "effect/http"
import type { BodyPool } from "./BodyPool.ts"

/**
 * Decoders of the `Content-Encoding`s a proxy may apply even unasked (the client sends no `Accept-Encoding`,
 * and undici's `request` does not decode): run on libuv's thread pool, never on the event loop.
 */
const DECODERS: Readonly<Record<string, (bytes: Buffer) => Promise<Buffer>>> = {
  gzip: promisify(zlib.gunzip),
  "x-gzip": promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress)
}

/**
 * A body sent with a `Content-Encoding` the client decodes, whose bytes would not decode: `truncated` when they
 * ended early, else they are not in that encoding at all (re-encoded or already decoded on the way).
 */
export class UndecodableBody {
  readonly _tag = "UndecodableBody"
  readonly encoding: string
  readonly truncated: boolean
  readonly detail: string
  constructor(encoding: string, truncated: boolean, detail: string) {
    this.encoding = encoding
    this.truncated = truncated
    this.detail = detail
  }
}

/** zlib's errors for input that stops before the compressed stream ends. */
const TRUNCATED = new Set(["Z_BUF_ERROR", "ERR_BROTLI_DECOMPRESSION_FAILED_UNEXPECTED_EOF"])

/**
 * Whether bytes a fetch-backed response delivered under `encoding` are still encoded. The Fetch standard has
 * fetch decode the codings it knows while leaving the `Content-Encoding` header in place, so they usually are
 * not: gzip and zlib data are told by their headers, anything else (brotli has no header) by not starting
 * like text (JSON, HTML or a byte order mark).
 */
const stillEncoded = (encoding: string, bytes: Buffer): boolean => {
  const [b0 = 0x20, b1 = 0] = bytes
  if (encoding === "gzip" || encoding === "x-gzip") return b0 === 0x1f && b1 === 0x8b
  if (encoding === "deflate") return (b0 & 0x0f) === 8 && ((b0 << 8) | b1) % 31 === 0
  const text = b0 === 0x09 || b0 === 0x0a || b0 === 0x0d || (b0 >= 0x20 && b0 < 0x7f) || b0 === 0xef
  return bytes.length > 0 && !text
}

/** The `Content-Encoding` of a response, lower case, `identity` when absent. */
export const contentEncodingOf = (response: HttpClientResponse.HttpClientResponse): string =>
  (response.headers["content-encoding"] ?? "identity").trim().toLowerCase() || "identity"

/** True when the client can decode bodies of this `Content-Encoding`. */
export const canDecode = (encoding: string): boolean => encoding === "identity" || encoding in DECODERS

/** First buffer size for a body of unannounced length (it doubles as bytes arrive). */
const UNANNOUNCED_START = 16 * 1024
/** A `Content-Length` above this is not trusted for sizing the buffer up front; it then grows as bytes arrive. */
const MAX_PRESIZE = 512 * 1024 * 1024

/** A response body as UTF-8 bytes and as text, each made on first use. */
export interface Body {
  /** The bytes, without a leading byte order mark. */
  readonly bytes: Uint8Array
  /** The `Content-Encoding` the bytes are in: `identity` unless it is one the client cannot decode. */
  readonly encoding: string
  /** The text (a leading byte order mark dropped, as `TextDecoder` does). */
  readonly text: string
  /**
   * Gives the buffer back to the pool it came from (if any): nothing may still hold a view of `bytes`. The body
   * cannot be read afterwards.
   */
  readonly release: () => void
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf])

class LazyBody implements Body {
  #bytes: Buffer | undefined
  #text: string | undefined
  #whole: Buffer | undefined
  #pool: BodyPool | undefined
  #released = false
  readonly encoding: string
  constructor(bytes: Buffer, whole: Buffer, pool: BodyPool | undefined, encoding: string) {
    this.encoding = encoding
    this.#bytes = bytes
    this.#whole = whole
    this.#pool = pool
  }
  get bytes(): Uint8Array {
    this.#live()
    this.#bytes ??= Buffer.from(this.#text!, "utf8")
    return this.#bytes
  }
  get text(): string {
    this.#live()
    if (this.#text === undefined) {
      this.#text = this.#bytes!.toString("utf8")
      this.#bytes = undefined
      // Kept only if it goes back to a pool; otherwise the page is not held twice.
      if (this.#pool === undefined) this.#whole = undefined
    }
    return this.#text
  }
  release(): void {
    if (this.#released) return
    this.#released = true
    if (this.#whole !== undefined) this.#pool?.give(this.#whole)
    this.#bytes = this.#whole = this.#text = undefined
  }
  #live() {
    if (this.#released) throw new Error("response body read after it was released for reuse")
  }
}

/**
 * The body of `response`: bytes and text, each on first use (see the module comment). A body sent with a
 * `Content-Encoding` the client can decode (gzip, deflate, br) is decoded first — unless fetch already did (a
 * fetch-backed response keeps the header over decoded bytes); one it cannot decode is read as it came (the
 * caller sees what arrived and says so). Bytes that do not decode fail with {@link UndecodableBody}.
 */
export const readBody = (
  response: HttpClientResponse.HttpClientResponse,
  pool?: BodyPool
): Effect.Effect<Body, HttpClientError.HttpClientError | UndecodableBody> => {
  const encoding = contentEncodingOf(response)
  if (encoding === "identity") {
    return Effect.map(readRaw(response, pool), ({ buffer, length }) => bodyOf(buffer, length, pool, encoding))
  }
  const fetched = Option.isSome(HttpClientResponse.toWeb(response))
  const decode = DECODERS[encoding]
  // The announced length is the encoded one: read without the pool, decode, then keep the decoded bytes.
  return Effect.flatMap(readRaw(response), ({ buffer, length }) => {
    const bytes = buffer.subarray(0, length)
    if (fetched && !stillEncoded(encoding, bytes)) return Effect.succeed(bodyOf(buffer, length, undefined, "identity"))
    if (decode === undefined) return Effect.succeed(bodyOf(buffer, length, undefined, encoding))
    return Effect.tryPromise({
      try: () => decode(bytes),
      catch: (cause) => {
        const code = (cause as { code?: unknown } | undefined)?.code
        const text = cause instanceof Error ? cause.message : String(cause)
        return new UndecodableBody(encoding, typeof code === "string" && TRUNCATED.has(code), text)
      }
    }).pipe(Effect.map((decoded) => bodyOf(decoded, decoded.length, undefined, "identity")))
  })
}

/** The first `length` bytes of `buffer` as a body, a leading byte order mark dropped. */
const bodyOf = (buffer: Buffer, length: number, pool: BodyPool | undefined, encoding: string): Body => {
  const bom = length >= 3 && BOM.equals(buffer.subarray(0, 3)) ? 3 : 0
  return new LazyBody(buffer.subarray(bom, length), buffer, pool, encoding)
}

/** The bytes of the body as they arrived, in one buffer (from `pool` when the length is announced). */
const readRaw = (
  response: HttpClientResponse.HttpClientResponse,
  pool?: BodyPool
): Effect.Effect<{ readonly buffer: Buffer; readonly length: number }, HttpClientError.HttpClientError> =>
  Effect.suspend(() => {
    const declared = Number(response.headers["content-length"])
    const announced = Number.isSafeInteger(declared) && declared >= 0
    const size = announced ? Math.min(declared, MAX_PRESIZE) : UNANNOUNCED_START
    let buffer = announced && pool !== undefined ? pool.take(size) : Buffer.allocUnsafe(size)
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
      // A response without a body at all (a web `Response` built with a null body) reads as empty, as `text` does.
      Effect.catchIf(
        (error) => error.reason._tag === "EmptyBodyError",
        () => Effect.void
      ),
      Effect.map(() => {
        const read = { buffer, length }
        buffer = Buffer.alloc(0) // held by the body only
        return read
      })
    )
  })

/** The body of `response` as text (UTF-8, a leading byte order mark dropped as `TextDecoder` does). */
export const bodyText = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string, HttpClientError.HttpClientError | UndecodableBody> =>
  Effect.map(readBody(response), (body) => body.text)
