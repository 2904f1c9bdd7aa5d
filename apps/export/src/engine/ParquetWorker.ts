/**
 * The worker-thread side of a Parquet output (see ParquetFile.ts): follows the output's staged CSV as the main
 * thread writes it, reading up to the length it is told is written, and encodes its rows into the Parquet file
 * (`formats/parquet`), hashing what it writes. On a resumed output it starts with the staged rows already on disk.
 * One worker serves output after output of a run (`Open` starts the next), so a run of many small Parquet outputs
 * starts its thread once. Like the transcode worker it loads no Effect (a second isolate pays for all it loads).
 */
import { createHash } from "node:crypto"
import { closeSync, fsyncSync, openSync, readSync, writeSync } from "node:fs"
import { parentPort } from "node:worker_threads"
import { StagedParquetWriter } from "../formats/parquet/StagedRows.ts"
import type { ParquetWorkerData, ParquetWorkerReply, ParquetWorkerRequest } from "./ParquetFile.ts"

const port = parentPort
if (port === null) throw new Error("ParquetWorker runs as a worker thread")

/** The output being written: its files, encoder and hash. */
class Current {
  readonly staged: number
  readonly target: number
  readonly hash = createHash("sha256")
  /** Bytes of the staged file read so far. */
  position = 0
  written = 0
  readonly writer: StagedParquetWriter

  constructor(staged: number, target: number, data: ParquetWorkerData) {
    this.staged = staged
    this.target = target
    this.writer = new StagedParquetWriter(data.columns, (bytes) => this.append(bytes), data.createdBy)
  }

  private append(bytes: Uint8Array): void {
    let at = 0
    while (at < bytes.length) at += writeSync(this.target, bytes, at, bytes.length - at)
    this.hash.update(bytes)
    this.written += bytes.length
  }
}
let current: Current | undefined

/** Opens an output's two files and starts its encoder (which writes the file's first bytes). */
const open = (data: ParquetWorkerData): Current => {
  const opened: Array<number> = []
  try {
    opened.push(openSync(data.staged, "r"))
    opened.push(openSync(data.target, "w", 0o644))
    return new Current(opened[0]!, opened[1]!, data)
  } catch (error) {
    for (const fd of opened) closeSync(fd)
    throw error
  }
}

/** Closes the output's files (whatever happened to them); the worker is then ready for the next output. */
const close = (state: Current): void => {
  current = undefined
  for (const fd of [state.staged, state.target]) {
    try {
      closeSync(fd)
    } catch {
      // Already closed after a failed write: nothing left to release.
    }
  }
}

/** Reads and encodes the staged rows up to `available` bytes into the file. */
const readUpTo = (state: Current, available: number): void => {
  while (state.position < available) {
    const space = state.writer.space()
    const n = readSync(state.staged, space, 0, Math.min(space.length, available - state.position), state.position)
    if (n === 0) throw new Error(`the staged file ends at ${state.position} bytes, before the ${available} written`)
    state.position += n
    state.writer.wrote(n)
  }
}

port.on("message", (request: ParquetWorkerRequest) => {
  let reply: ParquetWorkerReply | undefined
  try {
    if (request._tag === "Open") {
      if (current !== undefined) close(current)
      current = open(request.data)
    } else {
      if (current === undefined) throw new Error("the Parquet worker has no output open")
      const state = current
      readUpTo(state, request.available)
      if (request.finish) {
        const rows = state.writer.finish()
        fsyncSync(state.target)
        close(state)
        reply = { _tag: "Done", rows, bytes: state.written, sha256: state.hash.digest("hex") }
      }
    }
  } catch (error) {
    if (current !== undefined) close(current)
    const code = (error as { code?: unknown }).code
    reply = {
      _tag: "Failed",
      message: error instanceof Error ? error.message : String(error),
      ...(typeof code === "string" ? { code } : {})
    }
  }
  if (reply !== undefined) port.postMessage(reply)
})
