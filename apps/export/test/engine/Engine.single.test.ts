/**
 * The export engine with the single-command policy (`answer`, `liveboard`, `demo`, …): exports named after the
 * objects found, one export at a time, the run stops at the first failure, resume state is kept only with
 * `--resume`, and a manifest is written only when something was written. Runs against an in-memory cluster whose
 * answers serve given page streams.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as Paths from "node:path"
import { NodeFileSystem, NodePath, NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, FileSystem, Layer, PlatformError, Stream } from "effect"
import { TestClock } from "effect/testing"
import type { Cluster, DataPage, MetadataObject } from "../../src/cluster/Cluster.ts"
import { ExportError } from "../../src/ExportError.ts"
import { chooseTimeZone, runExports } from "../../src/engine/Engine.ts"
import { silentProgress } from "../../src/engine/ExportJob.ts"
import type { RunOptions } from "../../src/engine/Run.ts"
import { runManifestPattern } from "../../src/output/Manifest.ts"
import { stateDirName } from "../../src/output/OutputLock.ts"
import { type JobExport, makeExport } from "../../src/plan/JobFile.ts"
import { nameHash } from "../../src/plan/Names.ts"
import { tempFolders } from "../support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-engine-single-")

/** The sorted entries of `dir`, with each run's own manifest shown as `manifest-<run>.json`. */
const listing = (dir: string) =>
  NodeFs.readdirSync(dir)
    .map((name) => (runManifestPattern.test(name) ? "manifest-<run>.json" : name))
    .sort()

const readManifest = (dir: string) => JSON.parse(NodeFs.readFileSync(Paths.join(dir, "manifest.json"), "utf8"))

/**
 * 1970-01-01's midnight in Kolkata (the runs' --timezone), a DATE as a cluster computing dates there sends it: it is
 * 16:30 on 1969-12-31 in Los Angeles, the cluster's own zone, which is no DATE.
 */
const KOLKATA_DAY_0 = -19_800
const page: DataPage = {
  columnNames: ["Day", "n"],
  rows: [[KOLKATA_DAY_0, 1]],
  availableRowCount: 1,
  samplingRatio: 1
}

/** An answer `name` (GUID `id-<name>`) with a DATE and an INT32 column. */
const answerObject = (name: string): MetadataObject => ({
  type: "ANSWER",
  id: `id-${name}`,
  name,
  visualizations: [
    {
      id: `viz-${name}`,
      name,
      columns: [
        { name: "Day", type: "DATE" },
        { name: "n", type: "INT32" }
      ]
    }
  ],
  columns: []
})

/**
 * An in-memory cluster whose answers (by name) serve the given pages; a page stream is read afresh by each export.
 * Its own time zone is Los Angeles, where epoch 0 is still 1969-12-31.
 */
const clusterOf = (
  answers: Record<string, Stream.Stream<DataPage, ExportError>>,
  zone = "America/Los_Angeles",
  /** Liveboards by name: their visualizations by name (GUID `viz-<n>`, in order) and pages. */
  liveboards: Record<string, ReadonlyArray<readonly [string, Stream.Stream<DataPage, ExportError>]>> = {}
): Cluster<ExportError> => {
  const objects = Object.keys(answers).map(answerObject)
  const boards: ReadonlyArray<MetadataObject> = Object.entries(liveboards).map(([name, vizzes]) => ({
    type: "LIVEBOARD",
    id: `id-${name}`,
    name,
    visualizations: vizzes.map(([viz], i) => ({ ...answerObject(viz).visualizations[0]!, id: `viz-${i}` })),
    columns: []
  }))
  return {
    host: "http://127.0.0.1:1",
    timeZone: Effect.succeedSome(zone),
    find: (type, identifier) =>
      Effect.succeed(
        (type === "LIVEBOARD" ? boards : objects).filter((o) => o.id === identifier || o.name === identifier)
      ),
    list: (type) => Effect.succeed(type === "LIVEBOARD" ? boards : objects),
    metadataPages: () => Stream.empty,
    answerPages: (id) => answers[objects.find((o) => o.id === id)!.name]!,
    liveboardPages: (id, vizId) =>
      liveboards[boards.find((o) => o.id === id)!.name]![Number(vizId.slice("viz-".length))]![1],
    searchPages: () => Stream.empty
  }
}

/** A single `liveboard` command's exports of liveboard `name`, one per format. */
const liveboardExports = (name: string, formats: ReadonlyArray<"csv" | "ndjson">) =>
  formats.map(
    (format, index): JobExport =>
      makeExport({
        index,
        key: undefined,
        what: `liveboard "${name}"`,
        spec: { type: "liveboard", id: name },
        format,
        timezone: undefined,
        pageSize: 10_000,
        strict: false
      })
  )

/** The exports of a single command for `names`: one per answer and format, named after the object found. */
const exportsOf = (names: ReadonlyArray<string>, formats: ReadonlyArray<"csv" | "ndjson"> = ["csv", "ndjson"]) =>
  names
    .flatMap((name) => formats.map((format) => ({ name, format })))
    .map(
      ({ name, format }, index): JobExport =>
        makeExport({
          index,
          key: undefined,
          what: `answer "${name}"`,
          spec: { type: "answer", id: name },
          format,
          timezone: undefined,
          pageSize: 10_000,
          strict: false
        })
    )

/** A single command's run into `dir` with the single-command policy; `--timezone Asia/Kolkata`. */
const runSingle = (
  exports: ReadonlyArray<JobExport>,
  cluster: Cluster<ExportError>,
  dir: string,
  settings: Partial<RunOptions> = {}
) => {
  const resume = settings.resume ?? false
  return runExports(exports, cluster, {
    command: "answer",
    destination: { _tag: "Directory", path: dir },
    givenIn: "command line",
    resume,
    keepState: resume,
    onFailure: "stop",
    force: false,
    exportsAtOnce: 1,
    workers: 0,
    overlappingPages: false,
    shard: { index: 1, count: 1 },
    timeZone: "Asia/Kolkata",
    newline: "\r\n",
    escapeFormulae: false,
    periodEnd: false,
    strict: false,
    offset: "utc",
    version: "0.0.0",
    progress: silentProgress,
    ...settings
  })
}

describe("runExports with the single-command policy", () => {
  it.effect("every-export-is-written-in-both-formats-with-a-manifest", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const cluster = clusterOf({ Sales: Stream.make(page), "sales.": Stream.make(page) })
      const result = yield* runSingle(exportsOf(["Sales", "sales."]), cluster, dir, { command: "demo" })
      assert.deepStrictEqual(result.failures, [])
      // One object keeps one name across formats; objects whose names are one file name (once sanitized, ignoring
      // case) each get a hash of their GUID, whatever order they come in.
      const sales = `answer-Sales [${nameHash("id-sales")}]`
      const other = `answer-sales [${nameHash("id-sales.")}]`
      assert.deepStrictEqual(listing(dir), [
        `${sales}.csv`,
        `${sales}.ndjson`,
        `${other}.csv`,
        `${other}.ndjson`,
        "manifest-<run>.json",
        "manifest.json"
      ])
      // The day's midnight in Kolkata (--timezone) is 1970-01-01 there; read in the cluster's Los Angeles it is no DATE.
      assert.strictEqual(NodeFs.readFileSync(Paths.join(dir, `${sales}.csv`), "utf8"), "Day,n\r\n1970-01-01,1\r\n")
      const manifest = readManifest(dir)
      assert.deepStrictEqual(manifest, result.manifest)
      assert.strictEqual(manifest.command, "demo")
      assert.strictEqual(manifest.job, null)
      assert.strictEqual(manifest.shard, null)
      assert.strictEqual(manifest.outputs.length, 4)
      assert.deepStrictEqual(manifest.timezone, { name: "Asia/Kolkata", source: "flag" })
      assert.deepStrictEqual(manifest.warnings, [])
      assert.deepStrictEqual(
        manifest.exports.map((e: { export: string; status: string; files: Array<string> }) => [
          e.export,
          e.status,
          e.files
        ]),
        [
          [sales, "succeeded", [`${sales}.csv`]],
          [sales, "succeeded", [`${sales}.ndjson`]],
          [other, "succeeded", [`${other}.csv`]],
          [other, "succeeded", [`${other}.ndjson`]]
        ]
      )
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
      assert.strictEqual(first.export, sales)
      assert.strictEqual(first.timezone, "Asia/Kolkata")
      assert.strictEqual(first.resume, "written")
      assert.strictEqual(typeof first.fingerprint, "string")
      assert.strictEqual(first.settings.file, `${sales}.csv`)
      assert.deepStrictEqual(
        result.outputs.map((o) => [o.label, o.output.file, o.output.rows_written]),
        [
          ["answer Sales", `${sales}.csv`, 1],
          ["answer Sales", `${sales}.ndjson`, 1],
          ["answer sales.", `${other}.csv`, 1],
          ["answer sales.", `${other}.ndjson`, 1]
        ]
      )
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("an-unusable-cluster-time-zone-is-a-run-warning-in-the-manifest", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      // The cluster's zone is unusable, so the dates are read in UTC: its day is UTC's midnight.
      const cluster = clusterOf({ Sales: Stream.make({ ...page, rows: [[0, 1]] }) }, "Not/AZone")
      // No --timezone: the cluster's zone is asked for, and it is not one this runtime knows.
      const result = yield* runSingle(exportsOf(["Sales"], ["csv"]), cluster, dir, { timeZone: undefined })
      assert.deepStrictEqual(result.failures, [])
      const manifest = readManifest(dir)
      assert.deepStrictEqual(manifest.timezone, { name: "UTC", source: "default" })
      assert.deepStrictEqual(manifest.warnings, [chooseTimeZone(undefined, "Not/AZone").warning])
      assert.include(manifest.warnings[0], "--timezone")
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
      const error = yield* Effect.flip(runSingle(exportsOf(["A", "B"]), clusterOf({ A: counted, B: counted }), dir))
      assert.strictEqual(error._tag === "ExportError" && error.kind, "OutputExists")
      assert.strictEqual(
        error.message,
        `${Paths.join(dir, "answer-B.ndjson")} already exists: pass --force to replace it, --resume to keep it if it is complete and verified, or choose another --out directory; nothing was written`
      )
      assert.strictEqual(pulled, 0)
      assert.deepStrictEqual(NodeFs.readdirSync(dir), ["answer-B.ndjson"])
      assert.strictEqual(NodeFs.readFileSync(Paths.join(dir, "answer-B.ndjson"), "utf8"), "keep")
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-failure-mid-run-keeps-finished-files-drops-the-failed-one-and-says-so-in-the-manifest", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const failing = Stream.concat(
        Stream.make(page),
        Stream.fail(new ExportError({ kind: "Remote", message: "connection reset" }))
      )
      const result = yield* runSingle(exportsOf(["A", "B"]), clusterOf({ A: Stream.make(page), B: failing }), dir)
      // The run stops at the failed export (its ndjson is not attempted) and hands back its own error.
      assert.strictEqual(result.failures.length, 1)
      assert.include(result.failures[0]!.error.message, "connection reset")
      // Nothing of the failed output is left behind, not even its resume state (no --resume).
      assert.deepStrictEqual(listing(dir), ["answer-A.csv", "answer-A.ndjson", "manifest-<run>.json", "manifest.json"])
      const manifest = readManifest(dir)
      assert.strictEqual(manifest.outputs.length, 2)
      assert.deepStrictEqual(manifest.warnings, [])
      assert.deepStrictEqual(
        manifest.exports.map((e: { export: string; status: string }) => [e.export, e.status]),
        [
          ["answer-A", "succeeded"],
          ["answer-A", "succeeded"],
          ["answer-B", "failed"]
        ]
      )
      assert.include(manifest.exports[2].error, "connection reset")
      assert.deepStrictEqual(manifest.exports[2].files, [])
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("each-run-keeps-its-own-manifest-and-manifest-json-is-a-copy-of-the-latest", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const cluster = clusterOf({ Sales: Stream.make(page) })
      yield* runSingle(exportsOf(["Sales"], ["csv"]), cluster, dir)
      yield* TestClock.adjust("1 second")
      yield* runSingle(exportsOf(["Sales"], ["ndjson"]), cluster, dir)
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

  it.effect("a-liveboard-writes-one-file-per-visualization-in-a-folder-shared-by-its-formats", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const cluster = clusterOf({ Ops: Stream.make(page) }, undefined, {
        Ops: [
          ["Daily", Stream.make(page)],
          ["daily", Stream.make(page)],
          ["By/Region", Stream.make(page)]
        ]
      })
      const exports = [...liveboardExports("Ops", ["csv", "ndjson"]), ...exportsOf(["Ops"], ["csv"])]
      const result = yield* runSingle(exports, cluster, dir, { command: "liveboard" })
      assert.deepStrictEqual(result.failures, [])
      // Two visualizations of one file name: each with a hash of its GUID.
      const daily = `Daily [${nameHash("viz-0")}]`
      const other = `daily [${nameHash("viz-1")}]`
      assert.deepStrictEqual(
        result.outputs.map((o) => [o.label, o.output.file, o.output.export]),
        [
          ["liveboard Ops / Daily", `liveboard-Ops/${daily}.csv`, "liveboard-Ops"],
          ["liveboard Ops / daily", `liveboard-Ops/${other}.csv`, "liveboard-Ops"],
          ["liveboard Ops / By/Region", "liveboard-Ops/By_Region.csv", "liveboard-Ops"],
          ["liveboard Ops / Daily", `liveboard-Ops/${daily}.ndjson`, "liveboard-Ops"],
          ["liveboard Ops / daily", `liveboard-Ops/${other}.ndjson`, "liveboard-Ops"],
          ["liveboard Ops / By/Region", "liveboard-Ops/By_Region.ndjson", "liveboard-Ops"],
          ["answer Ops", "answer-Ops.csv", "answer-Ops"]
        ]
      )
      assert.deepStrictEqual(result.manifest?.outputs[0]?.source.viz, { id: "viz-0", name: "Daily" })
      assert.strictEqual(
        NodeFs.readFileSync(Paths.join(dir, "liveboard-Ops", `${other}.csv`), "utf8"),
        "Day,n\r\n1970-01-01,1\r\n"
      )
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-liveboard-that-fails-at-a-later-visualization-lists-the-files-it-published-in-the-manifest", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const failing = Stream.fail(new ExportError({ kind: "Remote", message: "connection reset" }))
      const cluster = clusterOf({}, undefined, {
        Ops: [
          ["Daily", Stream.make(page)],
          ["Weekly", Stream.make(page)],
          ["Monthly", failing]
        ]
      })
      const result = yield* runSingle(liveboardExports("Ops", ["csv"]), cluster, dir, { command: "liveboard" })
      assert.strictEqual(result.failures.length, 1)
      assert.include(result.failures[0]!.error.message, "connection reset")
      // The two published files stay, and the manifest vouches for them; nothing of the failed one is left.
      assert.deepStrictEqual(listing(dir), ["liveboard-Ops", "manifest-<run>.json", "manifest.json"])
      assert.deepStrictEqual(NodeFs.readdirSync(Paths.join(dir, "liveboard-Ops")).sort(), ["Daily.csv", "Weekly.csv"])
      const manifest = readManifest(dir)
      assert.deepStrictEqual(
        manifest.outputs.map((o: { file: string }) => o.file),
        ["liveboard-Ops/Daily.csv", "liveboard-Ops/Weekly.csv"]
      )
      assert.strictEqual(manifest.exports.length, 1)
      assert.strictEqual(manifest.exports[0].status, "failed")
      assert.include(manifest.exports[0].error, "connection reset")
      assert.deepStrictEqual(manifest.exports[0].files, ["liveboard-Ops/Daily.csv", "liveboard-Ops/Weekly.csv"])
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("with-resume-a-failed-output-keeps-its-state-and-the-next-resume-continues-it", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const two = { ...page, availableRowCount: 2 }
      let reads = 0
      const counted = (stream: Stream.Stream<DataPage, ExportError>) =>
        Stream.tap(stream, () => Effect.sync(() => reads++))
      const broken = Stream.concat(
        Stream.make(two),
        Stream.fail(new ExportError({ kind: "Remote", message: "connection reset" }))
      )
      // One row per page, so that the checkpoint after the first page is at row offset 1.
      const exports = exportsOf(["A"], ["csv"]).map((e) => ({ ...e, pageSize: 1 }))
      const first = yield* runSingle(exports, clusterOf({ A: counted(broken) }), dir, { resume: true })
      assert.include(first.failures[0]!.error.message, "connection reset")
      // Nothing was written, so no manifest; the partial file and its checkpoint wait for the next --resume.
      assert.deepStrictEqual(listing(dir), [stateDirName])
      assert.deepStrictEqual(NodeFs.readdirSync(Paths.join(dir, stateDirName)).sort(), [
        "answer-A.csv.checkpoint.json",
        "answer-A.csv.partial"
      ])
      reads = 0
      // The continuation starts at the checkpoint's offset (one page of one row): only the second page is read.
      const rest: Stream.Stream<DataPage, ExportError> = Stream.make({ ...two, rows: [[KOLKATA_DAY_0 + 86_400, 2]] })
      const cluster = clusterOf({ A: counted(rest) })
      const offsets: Array<number> = []
      const resumed = yield* runSingle(
        exports,
        {
          ...cluster,
          answerPages: (id, pageSize, startOffset = 0) => {
            offsets.push(startOffset)
            return cluster.answerPages(id, pageSize, startOffset)
          }
        },
        dir,
        { resume: true }
      )
      assert.deepStrictEqual(resumed.failures, [])
      assert.deepStrictEqual(offsets, [1])
      assert.strictEqual(reads, 1)
      assert.strictEqual(resumed.manifest?.outputs[0]?.resume, "continued")
      assert.strictEqual(
        NodeFs.readFileSync(Paths.join(dir, "answer-A.csv"), "utf8"),
        "Day,n\r\n1970-01-01,1\r\n1970-01-02,2\r\n"
      )
      assert.deepStrictEqual(listing(dir), ["answer-A.csv", "manifest-<run>.json", "manifest.json"])
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
      const cluster = clusterOf({ Big: Stream.make(page, page, page) })
      const result = yield* runSingle(exportsOf(["Big"], ["csv"]), cluster, dir)
      assert.strictEqual(result.failures.length, 1)
      const error = result.failures[0]!.error
      assert.strictEqual(error._tag === "ExportError" && error.kind, "DiskFull")
      assert.include(error.message, "disk full while writing")
      assert.include(error.message, "free some space")
      assert.notInclude(error.message, "\n")
      // No output, no partial file, no state directory, no manifest.
      assert.strictEqual(result.manifest, undefined)
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

  it("a-cluster-zone-given-as-an-abbreviation-is-not-used-and-the-warning-says-which-zones-it-may-mean", () => {
    const abbreviated = chooseTimeZone(undefined, "PST")
    assert.deepStrictEqual(abbreviated.info, { name: "UTC", source: "default" })
    assert.include(abbreviated.warning ?? "", "America/Los_Angeles")
    assert.include(abbreviated.warning ?? "", "-08:00")
    assert.include(abbreviated.warning ?? "", "pass --timezone to choose")
  })
})
