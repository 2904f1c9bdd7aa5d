import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as Paths from "node:path"
import { NodeFileSystem, NodePath, NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, FileSystem, Layer, Option, PlatformError, Stream } from "effect"
import { TestClock } from "effect/testing"
import { checkOutput } from "../src/cli/OptionGate.ts"
import { silentProgress } from "../src/cli/Progress.ts"
import { ExportError } from "../src/ExportError.ts"
import { chooseTimeZone, type ExportTask, type RunSettings, runExport } from "../src/engine/Exporter.ts"
import type { DataPage } from "../src/engine/ExportJob.ts"
import { runManifestPattern } from "../src/output/Manifest.ts"

const tempDir = () => NodeFs.mkdtempSync(Paths.join(NodeOs.tmpdir(), "spotpipe-run-"))

/** The sorted entries of `dir`, with each run's own manifest shown as `manifest-<run>.json`. */
const listing = (dir: string) =>
  NodeFs.readdirSync(dir)
    .map((name) => (runManifestPattern.test(name) ? "manifest-<run>.json" : name))
    .sort()

const settings = (dir: string, force = false) =>
  Effect.map(
    checkOutput({
      format: "csv",
      out: Option.some(dir),
      timezone: Option.some("Asia/Kolkata"),
      pageSize: Option.none(),
      concurrency: Option.none(),
      workers: Option.none(),
      newline: "crlf",
      force,
      escapeFormulae: false,
      periodEnd: false
    }),
    (output): RunSettings => ({
      command: "test",
      version: "0.0.0",
      host: "http://127.0.0.1:1",
      output,
      formats: ["csv", "ndjson"],
      timeZone: { name: "Asia/Kolkata", source: "flag" },
      offset: "utc",
      progress: silentProgress,
      workers: 0
    })
  )

const page: DataPage = { columnNames: ["Day", "n"], rows: [[0, 1]], availableRowCount: 1, samplingRatio: 1 }
const task = (
  name: string,
  pages: Stream.Stream<DataPage, ExportError> = Stream.make(page)
): ExportTask<ExportError> => ({
  object: `answer ${name}`,
  what: `answer "${name}"`,
  fileName: `answer-${name}`,
  source: { type: "ANSWER", id: `id-${name}`, name, viz: null, query: null },
  pages: () => pages,
  typesOf: (names) => names.map((c) => (c === "Day" ? "DATE" : "INT32")),
  emptyColumns: ["Day", "n"]
})

describe("runExport", () => {
  it.effect("every-task-is-written-in-both-formats-with-a-manifest", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const result = yield* runExport(yield* settings(dir), [task("Sales"), task("sales")], ["a run warning"])
      assert.deepStrictEqual(listing(dir), [
        "answer-Sales.csv",
        "answer-Sales.ndjson",
        "answer-sales (2).csv",
        "answer-sales (2).ndjson",
        "manifest-<run>.json",
        "manifest.json"
      ])
      // Epoch 0 is 05:30 on 1970-01-01 in Kolkata.
      assert.strictEqual(NodeFs.readFileSync(Paths.join(dir, "answer-Sales.csv"), "utf8"), "Day,n\r\n1970-01-01,1\r\n")
      const manifest = JSON.parse(NodeFs.readFileSync(Paths.join(dir, "manifest.json"), "utf8"))
      assert.strictEqual(manifest.outputs.length, 4)
      assert.deepStrictEqual(manifest.timezone, { name: "Asia/Kolkata", source: "flag" })
      assert.deepStrictEqual(manifest.warnings, ["a run warning"])
      const first = manifest.outputs[0]
      const bytes = NodeFs.readFileSync(Paths.join(dir, first.file))
      assert.strictEqual(first.bytes, bytes.length)
      assert.strictEqual(first.sha256, createHash("sha256").update(bytes).digest("hex"))
      assert.deepStrictEqual(first.columns, [
        { name: "Day", type: "DATE" },
        { name: "n", type: "INT32" }
      ])
      assert.strictEqual(first.rows_written, 1)
      assert.strictEqual(first.available_data_row_count, 1)
      assert.strictEqual(first.sampling_ratio, 1)
      assert.deepStrictEqual(first.source, { type: "ANSWER", id: "id-Sales", name: "Sales", viz: null, query: null })
      assert.deepStrictEqual(
        result.summary.map((l) => [l.object, l.file, l.rows]),
        [
          ["answer Sales", "answer-Sales.csv", 1],
          ["answer Sales", "answer-Sales.ndjson", 1],
          ["answer sales", "answer-sales (2).csv", 1],
          ["answer sales", "answer-sales (2).ndjson", 1]
        ]
      )
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("an-existing-output-is-refused-before-any-page-is-read", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      NodeFs.writeFileSync(Paths.join(dir, "answer-B.ndjson"), "keep")
      let pulled = 0
      const counted = Stream.fromEffect(
        Effect.sync(() => {
          pulled++
          return page
        })
      )
      const error = yield* Effect.flip(runExport(yield* settings(dir), [task("A", counted), task("B", counted)], []))
      assert.strictEqual(error._tag === "ExportError" && error.kind, "OutputExists")
      assert.strictEqual(pulled, 0)
      assert.deepStrictEqual(NodeFs.readdirSync(dir), ["answer-B.ndjson"])
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-failure-mid-run-keeps-finished-files-drops-the-failed-one-and-says-so-in-the-manifest", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const failing = Stream.concat(
        Stream.make(page),
        Stream.fail(new ExportError({ kind: "Remote", message: "connection reset" }))
      )
      const error = yield* Effect.flip(runExport(yield* settings(dir), [task("A"), task("B", failing)], []))
      assert.include(error.message, "connection reset")
      assert.deepStrictEqual(listing(dir), ["answer-A.csv", "answer-A.ndjson", "manifest-<run>.json", "manifest.json"])
      const manifest = JSON.parse(NodeFs.readFileSync(Paths.join(dir, "manifest.json"), "utf8"))
      assert.strictEqual(manifest.outputs.length, 2)
      assert.include(manifest.warnings[0], "run failed: connection reset")
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("each-run-keeps-its-own-manifest-and-manifest-json-is-a-copy-of-the-latest", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const both = yield* settings(dir)
      yield* runExport({ ...both, formats: ["csv"] }, [task("Sales")], [])
      yield* TestClock.adjust("1 second")
      yield* runExport({ ...both, formats: ["ndjson"] }, [task("Sales")], [])
      const runs = NodeFs.readdirSync(dir)
        .filter((name) => runManifestPattern.test(name))
        .sort()
      assert.strictEqual(runs.length, 2)
      const [first, second] = runs.map((name) => JSON.parse(NodeFs.readFileSync(Paths.join(dir, name), "utf8")))
      // The first run's manifest still lists the CSV; the name carries the run id, which sorts by time.
      assert.deepStrictEqual(
        first.outputs.map((o: { file: string }) => o.file),
        ["answer-Sales.csv"]
      )
      assert.deepStrictEqual(
        second.outputs.map((o: { file: string }) => o.file),
        ["answer-Sales.ndjson"]
      )
      assert.deepStrictEqual(runs, [`manifest-${first.run_id}.json`, `manifest-${second.run_id}.json`])
      assert.strictEqual(first.tz_database, process.versions.tz)
      assert.strictEqual(
        NodeFs.readFileSync(Paths.join(dir, "manifest.json"), "utf8"),
        NodeFs.readFileSync(Paths.join(dir, runs[1]!), "utf8")
      )
    }).pipe(Effect.provide(NodeServices.layer))
  )
})

/** The real file system, except that writes fail with ENOSPC once `limit` bytes went to one file. */
const diskFullAfter = (limit: number) =>
  Layer.effect(
    FileSystem.FileSystem,
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const enospc = () =>
        PlatformError.systemError({
          _tag: "Unknown",
          module: "FileSystem",
          method: "writeAll",
          cause: Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" })
        })
      const open: FileSystem.FileSystem["open"] = (path, options) =>
        Effect.map(fs.open(path, options), (file) => {
          let written = 0
          const writeAll: FileSystem.File["writeAll"] = (bytes) => {
            written += bytes.length
            return written <= limit ? file.writeAll(bytes) : Effect.fail(enospc())
          }
          return Object.assign(Object.create(file) as FileSystem.File, { writeAll })
        })
      return { ...fs, open }
    })
  ).pipe(Layer.provide(NodeFileSystem.layer))

describe("disk full", () => {
  it.effect("a-full-disk-fails-with-one-line-and-leaves-no-file-behind", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const pages = Stream.make(page, page, page)
      const error = yield* Effect.flip(runExport(yield* settings(dir), [task("Big", pages)], []))
      assert.strictEqual(error._tag === "ExportError" && error.kind, "DiskFull")
      assert.include(error.message, "disk full while writing")
      assert.include(error.message, "free some space")
      assert.deepStrictEqual(NodeFs.readdirSync(dir), [])
    }).pipe(Effect.provide(Layer.mergeAll(diskFullAfter(20), NodePath.layer)))
  )
})

describe("chooseTimeZone", () => {
  it("flag-then-cluster-then-utc", () => {
    assert.deepStrictEqual(chooseTimeZone("Europe/Paris", "America/Denver").info, {
      name: "Europe/Paris",
      source: "flag"
    })
    assert.deepStrictEqual(chooseTimeZone(undefined, "America/Denver").info, {
      name: "America/Denver",
      source: "cluster"
    })
    assert.deepStrictEqual(chooseTimeZone(undefined, undefined).info, { name: "UTC", source: "default" })
    const bad = chooseTimeZone(undefined, "Not/AZone")
    assert.deepStrictEqual(bad.info, { name: "UTC", source: "default" })
    assert.include(bad.warning ?? "", "--timezone")
  })
})
