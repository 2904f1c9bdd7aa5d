/**
 * Worker threads that run {@link makeRowsTranscoder} beside the main thread, so a data export uses two cores.
 *
 * A large page is shared, not handed over: the export job cuts its `data_rows` array after a row
 * ({@link cutRows}), a worker transcodes the rows after the cut while the main thread transcodes the rows before
 * it, and the two outputs are written one after the other — the same bytes as one transcode of the whole array.
 * So one page in flight is enough to keep both cores busy (more pages in flight would cost a page-sized body
 * each). The cut follows the speeds measured on both sides (and this thread's other work, when pages overlap;
 * see {@link TranscodePool.share}), so that neither side waits for the other.
 *
 * A worker holds at most two parts (one in progress, one waiting, so it never idles between pages); beyond that
 * {@link TranscodePool.offer} answers `undefined` at once and the caller transcodes the whole page itself. A
 * worker that declines its part (the rows are not what the plan expects), fails on it, or dies answers
 * `undefined` too, and the caller transcodes the whole page itself: a worker can cost time but never rows or
 * order. A dead worker takes no more pages.
 *
 * Memory stays flat: each worker is a small isolate (`resourceLimits`; it loads no Effect, see
 * TranscodeWorker.ts); its part of a page is copied into a reused input buffer that travels to the worker and
 * back (transferred, not cloned); its output chunks are transferred to the main thread and back again once
 * written ({@link TranscodePool.recycle}), so the same buffers serve page after page. The pool lives as long as
 * its scope, which terminates the workers; idle workers do not keep the process alive.
 */
import { getCompileCacheDir } from "node:module"
import { performance } from "node:perf_hooks"
import { Worker } from "node:worker_threads"
import type { OffsetStyle } from "@spotpipe/decode"
import { Effect, type Scope } from "effect"
import type { TextFormat as Format } from "../formats/RowFormat.ts"
import { CHUNK_BYTES, type PooledResult } from "../formats/RowsTranscoder.ts"
import type { ColumnNames } from "../plan/Names.ts"

/** Everything a worker needs to rebuild a job's column plan and writers (plain data, sent once per plan). */
export interface TranscodeSpec {
  readonly names: ReadonlyArray<string>
  readonly types: ReadonlyArray<string | null>
  /** IANA zone name (already validated). */
  readonly timeZone: string
  readonly offset: OffsetStyle
  readonly periodEnd: boolean
  readonly formats: ReadonlyArray<Format>
  /** A Parquet output's staged CSV: the typed plans (`TypedCells.ts`). */
  readonly typed?: boolean
  readonly newline: "\r\n" | "\n"
  readonly escapeFormulae: boolean
  readonly columnNames?: ColumnNames
  readonly nullString?: string
}

/** Messages to a worker: rows to transcode (`spec` comes with the first of each plan `key`), or chunks to reuse. */
export type TranscodeRequest =
  | {
      readonly _tag: "Rows"
      readonly id: number
      readonly key: number
      readonly spec?: TranscodeSpec
      /** A whole `data_rows`-like array, at the start of a buffer owned by the pool (sent back with the reply). */
      readonly bytes: Uint8Array
      /** Per format, empty output chunks for the plan's transcoders (with the first rows of each plan). */
      readonly seed?: ReadonlyArray<ReadonlyArray<Uint8Array>>
    }
  | { readonly _tag: "Recycle"; readonly key: number; readonly chunks: ReadonlyArray<ReadonlyArray<Uint8Array>> }

/** A worker's answer: the input buffer back, and the result (`undefined`: declined) or an error. */
export type TranscodeReply = { readonly id: number; readonly input: Uint8Array } & (
  | {
      readonly result:
        | {
            /** Where the array ended in `input`. */
            readonly end: number
            readonly rowCount: number
            /** Per format, its chunks in order. */
            readonly chunks: ReadonlyArray<ReadonlyArray<Uint8Array>>
            /** Time spent transcoding, for {@link TranscodePool.share}. */
            readonly millis: number
          }
        | undefined
    }
  | { readonly error: string }
)

/**
 * Parts offered to the workers, taken, done by them, and given back undone, and what each side took lately
 * (for tests and `--verbose`).
 */
export interface PoolCounts {
  readonly offered: number
  readonly taken: number
  readonly done: number
  readonly returned: number
  readonly mainMsPerMB: number
  readonly workerMsPerMB: number
  /** This thread's other work per MB of page (see {@link TranscodePool.share}). */
  readonly otherMsPerMB: number
}

/** Runs transcodes on worker threads. */
export interface TranscodePool {
  readonly size: number
  /** Registers a plan; its key is then used with {@link TranscodePool.offer}. */
  readonly plan: (spec: TranscodeSpec) => number
  /**
   * Gives the rows after `cut` (the `,` after a row, see {@link cutRows}) to a worker, as an array of their own:
   * `undefined` at once when no worker can take them; else the worker's answer, `undefined` when it declined or
   * failed.
   */
  readonly offer: (key: number, bytes: Uint8Array, cut: number) => Effect.Effect<PooledResult | undefined> | undefined
  /**
   * The part of a page's array (`pageBytes` long) to offer to a worker (its end), from the speeds measured
   * lately: 0.2‥0.85, or up to 0.95 with several pages in flight, where this thread has plenty else to do.
   * With one page in flight (`overlappingPages` off), this thread's other work on a page —
   * receiving, hashing, writing — happens before and after both parts, while the worker waits anyway: the cut
   * makes both parts take equally long. With several pages in flight, that other work (this thread's busy time
   * between pages, less its transcoding; on pages of 10 000 rows as large as its transcoding) overlaps the
   * worker's part of another page: the cut then gives both sides the same total work per page.
   */
  readonly share: (pageBytes: number) => number
  /**
   * Records how long this thread took to transcode `bytes` of a page (its part of a shared page, or a page it
   * transcoded alone), for {@link TranscodePool.share}.
   */
  readonly measured: (bytes: number, millis: number) => void
  /** Hands written chunks of a {@link PooledResult} back to its worker for the next pages (they are detached here). */
  readonly recycle: (result: PooledResult) => void
  readonly counts: () => PoolCounts
}

/** How to start the workers. */
export interface TranscodePoolOptions {
  /** Whether the job keeps several pages in flight (`--concurrency` above 1; see {@link TranscodePool.share}). */
  readonly overlappingPages?: boolean
  /** This thread's busy time so far, ms (default: the event loop's active time; tests pass their own). */
  readonly busyMillis?: () => number
  /** The worker's module (tests start a broken one). */
  readonly workerUrl?: URL
}

/** The worker's module: beside this one, as source or (in the bundled CLI, scripts/bundle.ts) as its bundle. */
const defaultWorkerUrl = new URL(
  import.meta.url.endsWith(".ts") ? "./TranscodeWorker.ts" : "./TranscodeWorker.js",
  import.meta.url
)

/**
 * A worker's V8 heap: the transcoder keeps little on it (its output is in external buffers; ~13 MiB in use,
 * mostly code), so a small young generation (cheap scavenges of the rendered date strings), a modest old
 * generation and a small stack suffice (with 4/64 MiB a 1 M-row NDJSON export peaked ~5 MiB higher). A worker
 * that runs out of heap dies, and its parts go back to the main thread.
 */
const resourceLimits = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32, stackSizeMb: 1 }

const OPEN = 0x5b

/**
 * Where to cut the array `bytes[start…]` (`length` bytes) so that about `share` of it comes after the cut: the
 * `,` of the first `],[` from there, or `undefined` if there is none. A `],[` may also lie inside a string (a
 * cell holding it); the caller sees that when the rows before the cut do not end exactly there.
 */
export const cutRows = (bytes: Uint8Array, start: number, length: number, share: number): number | undefined => {
  const from = start + Math.floor(length * (1 - share))
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf("],[", from, "latin1")
  return at < 0 || at >= start + length ? undefined : at + 1
}

/**
 * Output chunks given to each of a worker's transcoders up front (as many as a transcoder keeps spare). They are
 * allocated here, on the main thread, and then travel back and forth: memory that a worker thread allocates
 * itself lands in its own malloc arena, which glibc keeps apart and rarely trims (measured: ~40 MiB more peak
 * RSS for a 1 M-row NDJSON export when the worker allocated its chunks).
 */
const seedChunks = 8

/** Parts a worker may hold, the one it transcodes included: a second waits, so the worker never idles between. */
const maxPending = 2

interface Slot {
  readonly worker: Worker
  /** The parts sent and not answered yet, in order. */
  readonly pending: Map<number, (reply: TranscodeReply | undefined) => void>
  alive: boolean
  /** Plans this worker has been sent. */
  readonly sent: Set<number>
  /** Input buffers back from the worker, for the next parts (at most {@link maxPending}). */
  readonly inputs: Array<ArrayBuffer>
}

/** A buffer of at least `bytes`, reusing `buffer` when it is large enough (grown with some slack: parts vary). */
const room = (buffer: ArrayBuffer | undefined, bytes: number): ArrayBuffer =>
  buffer !== undefined && buffer.byteLength >= bytes ? buffer : new ArrayBuffer(Math.ceil(bytes * 1.1))

/** Starts `size` workers (at least 1) for the lifetime of the scope. */
export const makeTranscodePool = (
  size: number,
  options: TranscodePoolOptions = {}
): Effect.Effect<TranscodePool, never, Scope.Scope> =>
  Effect.gen(function* () {
    const specs: Array<TranscodeSpec> = []
    const counts = { offered: 0, taken: 0, done: 0, returned: 0 }
    // Milliseconds per byte transcoded, each side, and this thread's other work per page byte, smoothed over the
    // pages so far.
    const speed = { main: 0, worker: 0, other: 0 }
    const smooth = (old: number, now: number) => (old === 0 ? now : old * 0.7 + now * 0.3)
    const busyMillis = options.busyMillis ?? (() => performance.eventLoopUtilization().active)
    // Since the last share: this thread's busy time when it was taken, its transcoding since, and the page's size.
    const window = { busy: busyMillis(), transcoded: 0, pageBytes: 0 }
    // The worker uses the CLI's compile cache too (when it is on): from the second run on it then loads its
    // modules without type-stripping them again (~10 MiB less per worker, measured).
    const cacheDir = getCompileCacheDir()
    const env = cacheDir === undefined ? process.env : { ...process.env, NODE_COMPILE_CACHE: cacheDir }
    const slots = yield* Effect.acquireRelease(
      Effect.sync(() =>
        Array.from({ length: Math.max(1, size) }, (): Slot => {
          const worker = new Worker(options.workerUrl ?? defaultWorkerUrl, { resourceLimits, env })
          worker.unref()
          const slot: Slot = { worker, pending: new Map(), alive: true, sent: new Set(), inputs: [] }
          worker.on("message", (reply: TranscodeReply) => {
            const resume = slot.pending.get(reply.id)
            if (resume === undefined) return
            slot.pending.delete(reply.id)
            if (slot.pending.size === 0) worker.unref()
            if (slot.inputs.length < maxPending) slot.inputs.push(reply.input.buffer as ArrayBuffer)
            resume(reply)
          })
          const die = () => {
            slot.alive = false
            for (const resume of slot.pending.values()) resume(undefined)
            slot.pending.clear()
          }
          worker.on("error", die)
          worker.on("exit", die)
          return slot
        })
      ),
      (all) =>
        Effect.promise(() =>
          Promise.all(
            all.map((slot) => {
              slot.alive = false
              return slot.worker.terminate()
            })
          )
        )
    )
    let nextId = 0
    return {
      size: slots.length,
      plan: (spec) => specs.push(spec) - 1,
      offer: (key, bytes, cut) => {
        counts.offered++
        let index = -1
        for (const [i, slot] of slots.entries()) {
          if (
            slot.alive &&
            slot.pending.size < maxPending &&
            (index < 0 || slot.pending.size < slots[index]!.pending.size)
          )
            index = i
        }
        if (index < 0) return undefined
        const slot = slots[index]!
        counts.taken++
        // Claimed and sent now, before any other fiber can offer it rows; the effect only waits for the answer
        // (which may come before it runs).
        const id = nextId++
        let answered: { readonly reply: TranscodeReply | undefined } | undefined
        let waiting: ((reply: TranscodeReply | undefined) => void) | undefined
        slot.pending.set(id, (reply) => {
          if (waiting === undefined) answered = { reply }
          else waiting(reply)
        })
        // `[` and the rows after the cut (to the body's end: the array's end is not known yet) go in one of the
        // worker's own buffers, transferred.
        const length = bytes.length - cut
        const buffer = room(slot.inputs.pop(), length)
        const input = new Uint8Array(buffer, 0, length)
        input.set(bytes.subarray(cut + 1), 1)
        input[0] = OPEN
        const first = !slot.sent.has(key)
        slot.sent.add(key)
        const transfer: Array<ArrayBuffer> = [buffer]
        let request: TranscodeRequest = { _tag: "Rows", id, key, bytes: input }
        if (first) {
          const spec = specs[key]!
          const seed = spec.formats.map(() =>
            Array.from({ length: seedChunks }, () => new Uint8Array(new ArrayBuffer(CHUNK_BYTES)))
          )
          for (const chunks of seed) for (const chunk of chunks) transfer.push(chunk.buffer as ArrayBuffer)
          request = { ...request, spec, seed }
        }
        slot.worker.ref()
        slot.worker.postMessage(request, transfer)
        const toResult = (reply: TranscodeReply | undefined): PooledResult | undefined => {
          const result = reply !== undefined && "result" in reply ? reply.result : undefined
          if (result === undefined) {
            counts.returned++
            return undefined
          }
          counts.done++
          speed.worker = smooth(speed.worker, result.millis / result.end)
          // Input index i is the page's byte cut + i (the `[` stands in for the cut's `,`).
          const end = cut + result.end
          return { end, rowCount: result.rowCount, chunks: result.chunks, owner: { worker: index, key } }
        }
        return Effect.callback<PooledResult | undefined>((done) => {
          if (answered !== undefined) done(Effect.succeed(toResult(answered.reply)))
          else waiting = (reply) => done(Effect.succeed(toResult(reply)))
        })
      },
      share: (pageBytes) => {
        const busy = busyMillis()
        if (window.pageBytes > 0) {
          speed.other = smooth(speed.other, Math.max(0, busy - window.busy - window.transcoded) / window.pageBytes)
        }
        Object.assign(window, { busy, transcoded: 0, pageBytes })
        if (speed.main === 0 || speed.worker === 0) return 0.5
        // Equal parts: main × (1 - s) = worker × s; equal work per page: other + main × (1 - s) = worker × s.
        const other = options.overlappingPages === true ? speed.other : 0
        return Math.min(
          options.overlappingPages === true ? 0.95 : 0.85,
          Math.max(0.2, (other + speed.main) / (speed.main + speed.worker))
        )
      },
      measured: (bytes, millis) => {
        if (bytes > 0) speed.main = smooth(speed.main, millis / bytes)
        window.transcoded += millis
      },
      recycle: (result) => {
        const slot = slots[result.owner.worker]
        if (slot === undefined || !slot.alive) return
        const transfer = new Set<ArrayBuffer>()
        for (const chunks of result.chunks) for (const chunk of chunks) transfer.add(chunk.buffer as ArrayBuffer)
        const request: TranscodeRequest = { _tag: "Recycle", key: result.owner.key, chunks: result.chunks }
        slot.worker.postMessage(request, [...transfer])
      },
      counts: () => ({
        ...counts,
        mainMsPerMB: Math.round(speed.main * 1e6),
        workerMsPerMB: Math.round(speed.worker * 1e6),
        otherMsPerMB: Math.round(speed.other * 1e6)
      })
    }
  })
