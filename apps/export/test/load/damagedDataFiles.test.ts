/**
 * A data file handed to `spotpipe load` that is not the one its manifest describes (cut, grown, bytes flipped, or
 * zeros after a crash) never reaches a table: none of a file of another size is passed on to a database, any
 * damage fails the stream, and an NDJSON line with no end (a file of zeros) is refused at a bound instead of being
 * gathered in memory.
 */
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { Writable } from "node:stream"
import { pipeline } from "node:stream/promises"
import fc from "fast-check"
import { afterAll, describe, expect, it } from "vitest"
import { LoadFailure } from "../../src/load/Engine.ts"
import { hashingStream, verifyFile } from "../../src/load/FileCheck.ts"
import { ndjsonToCsv } from "../../src/load/NdjsonToCsv.ts"
import type { LoadOutput } from "../../src/load/RunManifest.ts"

const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-damaged-data-"))
afterAll(() => NodeFs.rmSync(dir, { recursive: true, force: true }))

const columns = ["id", "name"]
const text = Array.from({ length: 200 }, (_, i) => `{"id":${i},"name":"row ${i}"}\n`).join("")
const bytes = Buffer.from(text, "utf8")

/** The manifest's view of `bytes` as an NDJSON output at `path`. */
const outputAt = (path: string): LoadOutput => ({
  file: NodePath.basename(path),
  path,
  format: "ndjson",
  columns: columns.map((name) => ({ name, type: name === "id" ? "INT64" : "VARCHAR" })),
  rows: 200,
  bytes: bytes.length,
  sha256: createHash("sha256").update(bytes).digest("hex"),
  nullString: undefined,
  escapedFormulae: false,
  table: "rows"
})

/** What reaches the database: the CSV a load copies, as far as it got, and how the stream ended. */
const load = async (path: string) => {
  let received = 0
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      received += chunk.length
      callback()
    }
  })
  const source = NodeFs.createReadStream(path, { highWaterMark: 1 << 10 })
  const outcome = await pipeline(source, hashingStream(outputAt(path)), ndjsonToCsv(columns), sink).then(
    () => undefined,
    (error: unknown) => error
  )
  return { received, outcome }
}

let files = 0
const fileOf = (content: Uint8Array) => {
  const path = NodePath.join(dir, `data-${files++}.ndjson`)
  NodeFs.writeFileSync(path, content)
  return path
}

describe("a damaged data file on its way into a database", () => {
  it("the-manifests-file-loads-whole", async () => {
    const { received, outcome } = await load(fileOf(bytes))
    expect(outcome).toBeUndefined()
    expect(received).toBeGreaterThan(0)
  })

  it("cut-or-grown-passes-nothing-on-and-says-its-size-differs", async () => {
    for (const content of [bytes.subarray(0, bytes.length - 1), bytes.subarray(0, 30), Buffer.concat([bytes, bytes])]) {
      const path = fileOf(content)
      const { received, outcome } = await load(path)
      expect(received).toBe(0)
      expect(outcome).toBeInstanceOf(LoadFailure)
      expect((outcome as Error).message).toContain(`${NodePath.basename(path)} is not the file the manifest describes`)
      expect((outcome as Error).message).toContain("its size differs")
    }
  })

  it("with-bytes-flipped-always-fails-the-stream", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }),
        async (flips) => {
          const damaged = Buffer.from(bytes)
          for (const [at, mask] of flips) damaged[at] = damaged[at]! ^ mask
          if (damaged.equals(bytes)) return
          const { outcome } = await load(fileOf(damaged))
          expect(outcome).toBeInstanceOf(Error)
        }
      ),
      { numRuns: 60 }
    )
  })

  it("a-folder-or-a-named-pipe-in-its-place-is-refused-without-reading-it", async () => {
    const folder = NodePath.join(dir, "folder.ndjson")
    NodeFs.mkdirSync(folder)
    await expect(verifyFile(outputAt(folder))).rejects.toThrow(
      `folder.ndjson is not a file (a folder is at ${folder}): the run's files must stay beside its manifest`
    )
    // An NDJSON file of no rows is empty: a pipe's size (0) matches it, and reading it would wait for a writer.
    const pipe = NodePath.join(dir, "pipe.ndjson")
    expect(spawnSync("mkfifo", [pipe]).status).toBe(0)
    const empty = { ...outputAt(pipe), bytes: 0, rows: 0, sha256: createHash("sha256").digest("hex") }
    await expect(verifyFile(empty)).rejects.toThrow(
      `pipe.ndjson is not a file (a pipe, socket or device is at ${pipe})`
    )
  })

  it("of-zeros-of-the-same-size-fails-the-stream", async () => {
    const { outcome } = await load(fileOf(Buffer.alloc(bytes.length)))
    expect(outcome).toBeInstanceOf(Error)
  })
})

/** Converts `chunks` of NDJSON; the CSV, or the error. */
const convert = async (chunks: ReadonlyArray<string>, maxLine?: number) => {
  const out: Array<string> = []
  const stream = ndjsonToCsv(["s"], "", maxLine)
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.push(chunk.toString("utf8"))
      callback()
    }
  })
  const outcome = await pipeline(
    (async function* () {
      for (const chunk of chunks) yield Buffer.from(chunk, "utf8")
    })(),
    stream,
    sink
  ).then(
    () => undefined,
    (error: unknown) => error as Error
  )
  return { csv: out.join(""), outcome }
}

describe("an NDJSON line with no end", () => {
  it("is-refused-once-it-is-longer-than-a-line-can-be-naming-the-line", async () => {
    const { outcome } = await convert(['{"s":"a"}\n{"s":"', ...Array.from({ length: 10 }, () => "z".repeat(100))], 500)
    expect(outcome?.message).toBe("line 2 is longer than 500 characters")
  })

  it("up-to-that-length-is-read-across-any-number-of-pieces-exactly", async () => {
    const value = "é".repeat(3000)
    const line = `{"s":"${value}"}`
    const pieces: Array<string> = []
    for (let at = 0; at < line.length; at += 7) pieces.push(line.slice(at, at + 7))
    const ended = await convert([...pieces, "\n", '{"s":null}\n'], line.length)
    expect(ended.outcome).toBeUndefined()
    expect(ended.csv).toBe(`"${value}"\n\n`)
    // The last line without its line end, as a file's last line may be.
    const last = await convert(pieces, line.length)
    expect(last.outcome).toBeUndefined()
    expect(last.csv).toBe(`"${value}"\n`)
    expect((await convert(pieces, line.length - 1)).outcome?.message).toBe(
      `line 1 is longer than ${line.length - 1} characters`
    )
  })
})
