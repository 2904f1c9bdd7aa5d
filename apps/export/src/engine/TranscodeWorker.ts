/**
 * The worker-thread side of {@link TranscodePool}: transcodes its part of a page's rows while the main thread
 * transcodes the rest (and receives, hashes and writes). It rebuilds the job's column plan from a plain
 * description (names, types, zone, writer options) with the same functions the main thread uses, so its bytes
 * are the ones the main thread would write. Rows arrive in a buffer the pool owns and go back with the reply;
 * output chunks are transferred to the main thread and come back (`Recycle`) once written, to be filled again.
 *
 * A worker is a second V8 isolate, so what it loads costs memory per worker: nothing here loads Effect (all of
 * it would be ~20 MiB more per worker, measured), since `@spotpipe/decode`'s main entry imports nothing and the
 * modules below need no Effect. The bundle test checks it, for the worker's bundle and for its sources.
 */
import { parentPort } from "node:worker_threads"
import { resolveTimeZone } from "@spotpipe/decode"
import { makeRowRenderer } from "../formats/RowRenderer.ts"
import { makeRowsTranscoder, type RowsTranscoder } from "../formats/RowsTranscoder.ts"
import { typedPlans } from "../formats/TypedCells.ts"
import { planColumns } from "../plan/ColumnPlanner.ts"
import { renamerOf } from "../plan/Names.ts"
import type { TranscodeReply, TranscodeRequest, TranscodeSpec } from "./TranscodePool.ts"

const transcodersFor = (spec: TranscodeSpec): ReadonlyArray<RowsTranscoder> => {
  const timeZone = resolveTimeZone(spec.timeZone)
  if (timeZone instanceof Error) throw timeZone
  const planned = planColumns(spec.names, spec.types, { timeZone, offset: spec.offset })
  const plans = spec.typed === true ? typedPlans(planned) : planned
  const renderer = makeRowRenderer(plans, spec.periodEnd, renamerOf(spec.columnNames))
  const columns = renderer.columns.map((column) => column.name)
  return spec.formats.map((format) =>
    makeRowsTranscoder({
      format,
      columns,
      sources: renderer.sources,
      formatters: renderer.formatters,
      plainText: renderer.plainText,
      width: spec.names.length,
      newline: spec.newline,
      escapeFormulae: spec.escapeFormulae,
      nullString: spec.nullString ?? ""
    })
  )
}

const port = parentPort
if (port === null) throw new Error("TranscodeWorker runs as a worker thread")
const byKey = new Map<number, ReadonlyArray<RowsTranscoder>>()

const transcodeRows = (request: Extract<TranscodeRequest, { _tag: "Rows" }>) => {
  const input = request.bytes
  // A Set: a buffer listed twice cannot be transferred.
  const transfer = new Set<ArrayBuffer>([input.buffer as ArrayBuffer])
  let reply: TranscodeReply
  try {
    const began = performance.now()
    if (request.spec !== undefined) byKey.set(request.key, transcodersFor(request.spec))
    const transcoders = byKey.get(request.key)
    if (transcoders === undefined) throw new Error(`no plan ${request.key}`)
    for (const [i, chunks] of (request.seed ?? []).entries()) transcoders[i]?.recycle(chunks)
    const chunks: Array<ReadonlyArray<Uint8Array>> = []
    let end = 0
    let rowCount = 0
    for (const transcoder of transcoders) {
      const result = transcoder.transcode(input, 0)
      // A cell that cannot be written: declined, so the main thread transcodes the page and names the cell.
      if (result === undefined || result.failure !== undefined) break
      chunks.push(result.chunks)
      end = result.end
      rowCount = result.rowCount
    }
    if (chunks.length < transcoders.length) {
      for (const [i, done] of chunks.entries()) transcoders[i]!.recycle(done)
      reply = { id: request.id, input, result: undefined }
    } else {
      for (const format of chunks) for (const chunk of format) transfer.add(chunk.buffer as ArrayBuffer)
      reply = { id: request.id, input, result: { end, rowCount, chunks, millis: performance.now() - began } }
    }
  } catch (error) {
    reply = { id: request.id, input, error: error instanceof Error ? error.message : String(error) }
  }
  port.postMessage(reply, [...transfer])
}

port.on("message", (request: TranscodeRequest) => {
  if (request._tag === "Rows") return transcodeRows(request)
  const transcoders = byKey.get(request.key)
  for (const [i, chunks] of request.chunks.entries()) transcoders?.[i]?.recycle(chunks)
})
