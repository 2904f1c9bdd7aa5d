/**
 * The worker-thread side of {@link TranscodePool}: transcodes `data_rows` arrays off the main thread, which
 * meanwhile receives the next pages and hashes and writes the previous ones. It rebuilds the job's column plan
 * from a plain description (names, types, zone, writer options) with the same functions the main thread uses,
 * so its bytes are the ones the main thread would write.
 */
import { parentPort } from "node:worker_threads"
import { resolveTimeZone } from "@spotpipe/decode"
import { planColumns } from "./ColumnPlanner.ts"
import { makeRowRenderer } from "./RowRenderer.ts"
import { makeRowsTranscoder, type RowsTranscoder } from "./RowsTranscoder.ts"
import type { TranscodeReply, TranscodeRequest, TranscodeSpec } from "./TranscodePool.ts"

const transcodersFor = (spec: TranscodeSpec): ReadonlyArray<RowsTranscoder> => {
  const timeZone = resolveTimeZone(spec.timeZone)
  if (timeZone instanceof Error) throw timeZone
  const types = new Map(spec.names.map((name, i) => [name, spec.types[i] ?? null]))
  const plans = planColumns(spec.names, (name) => types.get(name) ?? null, { timeZone, offset: spec.offset })
  const renderer = makeRowRenderer(plans, spec.periodEnd)
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
      escapeFormulae: spec.escapeFormulae
    })
  )
}

const port = parentPort
if (port === null) throw new Error("TranscodeWorker runs as a worker thread")
const byKey = new Map<number, ReadonlyArray<RowsTranscoder>>()

port.on("message", (request: TranscodeRequest) => {
  let reply: TranscodeReply
  const transfer: Array<ArrayBuffer> = []
  try {
    if (request.spec !== undefined) byKey.set(request.key, transcodersFor(request.spec))
    const transcoders = byKey.get(request.key)
    if (transcoders === undefined) throw new Error(`no plan ${request.key}`)
    const chunks: Array<ReadonlyArray<Uint8Array>> = []
    let end = 0
    let rowCount = 0
    let declined = false
    for (const transcoder of transcoders) {
      const result = transcoder.transcode(request.bytes, request.start)
      if (result === undefined) {
        declined = true
        break
      }
      chunks.push(result.chunks)
      for (const chunk of result.chunks) transfer.push(chunk.buffer as ArrayBuffer)
      end = result.end
      rowCount = result.rowCount
    }
    // Chunks sent are detached here, so nothing is recycled; a declined page's chunks simply go.
    reply = declined ? { id: request.id, result: undefined } : { id: request.id, result: { end, rowCount, chunks } }
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) }
    transfer.length = 0
  }
  port.postMessage(reply, transfer)
})
