/**
 * The worker-thread side of a Parquet output (see ParquetFile.ts): follows the output's staged CSV as the main
 * thread writes it, reading up to the length it is told is written, and encodes its rows into the Parquet file
 * (`formats/parquet`), hashing what it writes. On a resumed output it starts with the staged rows already on disk.
 * Like the transcode worker it loads no Effect (a second isolate pays for all it loads).
 */
import { createHash } from "node:crypto"
import { closeSync, fsyncSync, openSync, readSync, writeSync } from "node:fs"
import { parentPort, workerData } from "node:worker_threads"
import { StagedParquetWriter } from "../formats/parquet/StagedRows.ts"
import type { ParquetWorkerData, ParquetWorkerReply, ParquetWorkerRequest } from "./ParquetFile.ts"

const port = parentPort
if (port === null) throw new Error("ParquetWorker runs as a worker thread")
const data = workerData as ParquetWorkerData

const staged = openSync(data.staged, "r")
const target = openSync(data.target, "w", 0o644)
const hash = createHash("sha256")
let written = 0
const writer = new StagedParquetWriter(
  data.columns,
  (bytes) => {
    let at = 0
    while (at < bytes.length) at += writeSync(target, bytes, at, bytes.length - at)
    hash.update(bytes)
    written += bytes.length
  },
  data.createdBy
)
/** Bytes of the staged file read so far. */
let position = 0

/** Reads and encodes the staged rows up to `available` bytes into the file. */
const readUpTo = (available: number): void => {
  while (position < available) {
    const space = writer.space()
    const n = readSync(staged, space, 0, Math.min(space.length, available - position), position)
    if (n === 0) throw new Error(`the staged file ends at ${position} bytes, before the ${available} written`)
    position += n
    writer.wrote(n)
  }
}

port.on("message", (request: ParquetWorkerRequest) => {
  let reply: ParquetWorkerReply | undefined
  try {
    readUpTo(request.available)
    if (request.finish) {
      const rows = writer.finish()
      fsyncSync(target)
      closeSync(target)
      closeSync(staged)
      reply = { _tag: "Done", rows, bytes: written, sha256: hash.digest("hex") }
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code
    reply = {
      _tag: "Failed",
      message: error instanceof Error ? error.message : String(error),
      ...(typeof code === "string" ? { code } : {})
    }
  }
  if (reply !== undefined) port.postMessage(reply)
})
