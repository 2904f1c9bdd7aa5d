/**
 * A load reads only files that are still what the manifest says: same size and SHA-256. `verifyFile` hashes a
 * file before it is loaded; `hashingStream` hashes the bytes as they stream into a database, so a file changed
 * between the check and the read is caught before the transaction commits (one of another size before any of it
 * is passed on).
 */
import { createHash, type Hash } from "node:crypto"
import * as NodeFs from "node:fs"
import { Transform, type TransformCallback } from "node:stream"
import { LoadFailure } from "./Engine.ts"
import type { LoadOutput } from "./RunManifest.ts"

const changed = (output: LoadOutput, what: string) =>
  new LoadFailure(
    `${output.file} is not the file the manifest describes (its ${what} differs): it is refused (export the run again, or load the manifest of the run that wrote this file)`
  )

/** The file's size and modification time, to see later that it was not replaced while a database read it. */
export const fileStamp = (output: LoadOutput): string => {
  let stat: NodeFs.Stats
  try {
    stat = NodeFs.statSync(output.path)
  } catch {
    throw new LoadFailure(
      `${output.file} is missing from ${output.path}: the run's files must stay beside its manifest`
    )
  }
  // A pipe in its place would block the read for ever; a folder is no file the manifest describes either.
  if (!stat.isFile()) {
    throw new LoadFailure(
      `${output.file} is not a file (a ${stat.isDirectory() ? "folder" : "pipe, socket or device"} is at ${output.path}): the run's files must stay beside its manifest as it wrote them`
    )
  }
  return `${stat.size}:${stat.mtimeMs}:${stat.ino}`
}

/** Checks `output`'s file against the manifest's size and SHA-256; `inspect` sees each chunk of it as it is hashed. */
export const verifyFile = async (output: LoadOutput, inspect?: (chunk: Buffer) => void): Promise<void> => {
  const stamp = fileStamp(output)
  if (Number(stamp.split(":")[0]) !== output.bytes) throw changed(output, "size")
  const hash = createHash("sha256")
  for await (const chunk of NodeFs.createReadStream(output.path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk)
    inspect?.(chunk)
  }
  if (hash.digest("hex") !== output.sha256) throw changed(output, "SHA-256")
}

/** A hash of a file's bytes as they are read; `check` fails if they were not the manifest's file. */
export const fileHash = (output: LoadOutput) => {
  const hash: Hash = createHash("sha256")
  let bytes = 0
  return {
    update: (chunk: Uint8Array): void => {
      hash.update(chunk)
      bytes += chunk.length
    },
    /** Undefined when the bytes read were the manifest's file, else the failure. */
    check: (): LoadFailure | undefined =>
      bytes === output.bytes && hash.digest("hex") === output.sha256
        ? undefined
        : changed(output, bytes === output.bytes ? "SHA-256" : "size")
  }
}

/**
 * Passes bytes through unchanged while hashing them; fails at the end if they are not the manifest's file, and at
 * the first bytes if the file's size is not the manifest's (none of a truncated or replaced file reaches a database).
 */
export const hashingStream = (output: LoadOutput): Transform => {
  const hash = fileHash(output)
  let sized = false
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (!sized) {
        try {
          if (Number(fileStamp(output).split(":")[0]) !== output.bytes) throw changed(output, "size")
        } catch (error) {
          return callback(error as Error)
        }
        sized = true
      }
      hash.update(chunk)
      callback(null, chunk)
    },
    flush(callback: TransformCallback) {
      callback(hash.check() ?? null)
    }
  })
}
