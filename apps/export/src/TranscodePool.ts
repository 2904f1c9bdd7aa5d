/**
 * A few worker threads that run {@link makeRowsTranscoder} for large pages. Transcoding is the CPU-heavy part
 * of an export; on its own thread it overlaps with what the main thread does for the other pages (receiving,
 * hashing, writing), and with two or more workers pages are transcoded side by side. The pool lives as long as
 * its scope; idle workers do not keep the process alive.
 */
import { Worker } from "node:worker_threads"
import type { OffsetStyle } from "@spotpipe/decode"
import { Effect, type Scope } from "effect"
import type { Format } from "./OptionGate.ts"

/** Everything a worker needs to rebuild a job's column plan and writers (plain data, sent once per plan). */
export interface TranscodeSpec {
  readonly names: ReadonlyArray<string>
  readonly types: ReadonlyArray<string | null>
  /** IANA zone name (already validated). */
  readonly timeZone: string
  readonly offset: OffsetStyle
  readonly periodEnd: boolean
  readonly formats: ReadonlyArray<Format>
  readonly newline: "\r\n" | "\n"
  readonly escapeFormulae: boolean
}

/** A page for a worker: `spec` comes with the first request of each plan `key`. */
export interface TranscodeRequest {
  readonly id: number
  readonly key: number
  readonly spec?: TranscodeSpec
  readonly bytes: Uint8Array
  readonly start: number
}

/** A worker's answer: the array's end, rows and, per format, its chunks; `undefined` when declined. */
export type TranscodeReply =
  | {
      readonly id: number
      readonly result:
        | {
            readonly end: number
            readonly rowCount: number
            readonly chunks: ReadonlyArray<ReadonlyArray<Uint8Array>>
          }
        | undefined
    }
  | { readonly id: number; readonly error: string }

/** What a pooled transcode gives: as {@link TranscodeReply}'s result. */
export type PooledResult = Extract<TranscodeReply, { result: unknown }>["result"]

/** Runs transcodes on worker threads. */
export interface TranscodePool {
  readonly size: number
  /** Registers a plan; its key is then used with {@link TranscodePool.run}. */
  readonly plan: (spec: TranscodeSpec) => number
  /** Transcodes `bytes[start…]` with plan `key` on the least busy worker; a worker failure declines the page. */
  readonly run: (key: number, bytes: Uint8Array, start: number) => Effect.Effect<PooledResult>
}

const workerUrl = new URL("./TranscodeWorker.ts", import.meta.url)

/** Starts `size` workers (at least 1) for the lifetime of the scope. */
export const makeTranscodePool = (size: number): Effect.Effect<TranscodePool, never, Scope.Scope> =>
  Effect.gen(function* () {
    const specs: Array<TranscodeSpec> = []
    const workers = yield* Effect.acquireRelease(
      Effect.sync(() =>
        Array.from({ length: Math.max(1, size) }, () => {
          const worker = new Worker(workerUrl)
          worker.unref()
          const waiting = new Map<number, (reply: TranscodeReply) => void>()
          const sent = new Set<number>()
          const failAll = (message: string) => {
            for (const [id, resume] of waiting) resume({ id, error: message })
            waiting.clear()
          }
          worker.on("message", (reply: TranscodeReply) => {
            const resume = waiting.get(reply.id)
            waiting.delete(reply.id)
            if (waiting.size === 0) worker.unref()
            resume?.(reply)
          })
          worker.on("error", (error) => failAll(error.message))
          worker.on("exit", () => failAll("the worker exited"))
          return { worker, waiting, sent }
        })
      ),
      (all) => Effect.promise(() => Promise.all(all.map(({ worker }) => worker.terminate())))
    )
    let nextId = 0
    return {
      size: workers.length,
      plan: (spec) => specs.push(spec) - 1,
      run: (key, bytes, start) =>
        Effect.callback<PooledResult>((resume) => {
          const slot = workers.reduce((best, w) => (w.waiting.size < best.waiting.size ? w : best))
          const id = nextId++
          slot.waiting.set(id, (reply) => resume(Effect.succeed("error" in reply ? undefined : reply.result)))
          slot.worker.ref()
          const first = !slot.sent.has(key)
          slot.sent.add(key)
          const request: TranscodeRequest = first
            ? { id, key, spec: specs[key]!, bytes, start }
            : { id, key, bytes, start }
          slot.worker.postMessage(request)
        })
    }
  })
