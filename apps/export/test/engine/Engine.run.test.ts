/**
 * The export engine with the job policy of `spotpipe run`: a failed export is recorded and the others carry on,
 * resume state is always kept, several exports run at once, and identifiers are named as given in the job file.
 * Runs against an in-memory cluster that counts the pages it serves, so resume can be checked page by page.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { resolveTimeZone, type TimeZone } from "@spotpipe/decode"
import { Deferred, Effect, Exit, Stream } from "effect"
import type { Cluster, DataPage, MetadataObject } from "../../src/cluster/Cluster.ts"
import { ExportError } from "../../src/ExportError.ts"
import { runExports } from "../../src/engine/Engine.ts"
import { silentProgress } from "../../src/engine/ExportJob.ts"
import { type RunOptions, type Step, StepProbe } from "../../src/engine/Run.ts"
import { runManifestPattern } from "../../src/output/Manifest.ts"
import { stateDirName } from "../../src/output/OutputLock.ts"
import { type Job, parseJobFile } from "../../src/plan/JobFile.ts"
import { tempFolders } from "../support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-engine-run-")

/**
 * An in-memory cluster: answers with `rows[id]` rows of [n, "row n", day], paged like core (from a start offset,
 * a multiple of the page size). `reads` lists the pages fetched, as `id@pageIndex`.
 */
/** The local midnight in `zone` of a day number (days since 1970-01-01): a DATE cell as ThoughtSpot sends it. */
const midnightIn = (zone: string, day: number): number => {
  const z = resolveTimeZone(zone) as TimeZone
  return day * 86_400 - z.offsetSeconds(day * 86_400 - z.offsetSeconds(day * 86_400))
}

const fakeCluster = (
  rows: Record<string, number>,
  failing: ReadonlySet<string> = new Set(),
  /**
   * Adds a DATE_TIME column and labels that start with `=` on odd rows; the cluster's time zone; liveboards (by id)
   * and the ids of their visualizations, which page like the answers of the same ids.
   */
  more: {
    readonly wide?: boolean
    readonly zone?: string
    readonly liveboards?: Record<string, ReadonlyArray<string>>
  } = {}
) => {
  const wide = more.wide === true
  const reads: Array<string> = []
  const objects: Record<string, MetadataObject> = {}
  for (const id of Object.keys(rows)) {
    objects[id] = {
      type: "ANSWER",
      id,
      name: id,
      visualizations: [
        {
          id,
          name: id,
          columns: [
            { name: "n", type: "INT64" },
            { name: "label", type: "VARCHAR" },
            { name: "day", type: "DATE" },
            ...(wide ? [{ name: "at", type: "DATE_TIME" }] : [])
          ]
        }
      ],
      columns: []
    }
  }
  const boards: Record<string, MetadataObject> = {}
  for (const [id, vizzes] of Object.entries(more.liveboards ?? {})) {
    boards[id] = {
      type: "LIVEBOARD",
      id,
      name: id,
      visualizations: vizzes.map((viz) => objects[viz]!.visualizations[0]!),
      columns: []
    }
  }
  const pagesOf = (id: string, pageSize: number, startOffset = 0): Stream.Stream<DataPage, ExportError> => {
    const total = rows[id]!
    const count = Math.max(1, Math.ceil(total / pageSize))
    const first = startOffset / pageSize
    return Stream.range(first, Math.max(first, count - 1)).pipe(
      Stream.mapEffect((p) =>
        Effect.suspend(() => {
          reads.push(`${id}@${p}`)
          if (failing.has(id) && p === 1) {
            return Effect.fail(new ExportError({ kind: "Remote", message: `answer "${id}" broke at page 1` }))
          }
          const from = p * pageSize
          const slice = Array.from({ length: Math.max(0, Math.min(pageSize, total - from)) }, (_, i) => {
            const n = from + i
            const day = midnightIn(more.zone ?? "America/Los_Angeles", 18_518 + n) // 2020-09-13 on
            return wide
              ? [n, n % 2 === 1 ? `=row ${n}` : `row ${n}`, day, day + n * 3_600]
              : [n, `row ${n}, "quoted"`, day]
          })
          return Effect.succeed<DataPage>({
            columnNames: wide ? ["n", "label", "day", "at"] : ["n", "label", "day"],
            rows: slice,
            availableRowCount: total,
            samplingRatio: 1
          })
        })
      )
    )
  }
  const cluster: Cluster<ExportError> = {
    host: "http://127.0.0.1:9",
    timeZone: Effect.succeedSome(more.zone ?? "America/Los_Angeles"),
    find: (type, identifier) => {
      const found = (type === "LIVEBOARD" ? boards : objects)[identifier]
      return Effect.succeed(found === undefined ? [] : [found])
    },
    list: (type) => Effect.succeed(Object.values(type === "LIVEBOARD" ? boards : objects)),
    metadataPages: () => Stream.empty,
    answerPages: (id, pageSize, startOffset) => pagesOf(id, pageSize, startOffset),
    liveboardPages: (_id, vizId, pageSize, startOffset) => pagesOf(vizId, pageSize, startOffset),
    searchPages: () => Stream.empty
  }
  return { cluster, reads }
}

const jobOf = (document: unknown): Job => {
  const exit = parseJobFile(JSON.stringify(document), "job.json")
  if (Exit.isFailure(exit)) throw new Error(String(exit.cause))
  return exit.value
}

const job = jobOf({
  defaults: { pageSize: 10 },
  exports: [
    { type: "answer", id: "A" },
    { type: "answer", id: "B", format: "ndjson" },
    { type: "answer", id: "C", output: "../../etc/passwd" }
  ]
})

/** The settings a run changes between tests (the job policy itself is fixed). */
type Settings = Partial<Omit<RunOptions, "command" | "givenIn" | "keepState" | "onFailure" | "job" | "destination">>

/** `spotpipe run job.json --out outDir` with the job policy. */
const runJob = (theJob: Job, cluster: Cluster<ExportError>, outDir: string, settings: Settings = {}) =>
  runExports(theJob.exports, cluster, {
    command: "run",
    destination: { _tag: "Directory", path: outDir },
    job: { file: "job.json", fingerprint: theJob.fingerprint },
    givenIn: "job file",
    keepState: true,
    onFailure: "record",
    resume: false,
    force: false,
    exportsAtOnce: 2,
    workers: 0,
    overlappingPages: false,
    shard: { index: 1, count: 1 },
    newline: "\r\n",
    escapeFormulae: false,
    periodEnd: false,
    strict: false,
    offset: "utc",
    version: "0.0.0-test",
    progress: silentProgress,
    ...settings
  })

/** Dies (a simulated crash of the export) at the `nth` checkpoint of `file`; the run records the export as failed. */
const crashAtCheckpoint =
  (file: string, nth: number) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) => {
    let checkpoints = 0
    return Effect.provideService(effect, StepProbe, (step: Step, at: string) =>
      step === "checkpoint-written" && at === file && ++checkpoints === nth
        ? Effect.die("simulated crash")
        : Effect.void
    )
  }

/** Every file under `dir` (relative path → content). */
const snapshot = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const walk = (at: string) => {
    for (const entry of NodeFs.readdirSync(at, { withFileTypes: true })) {
      const full = NodePath.join(at, entry.name)
      if (entry.isDirectory()) walk(full)
      else out[NodePath.relative(dir, full)] = NodeFs.readFileSync(full, "utf8")
    }
  }
  walk(dir)
  return out
}

/** The sorted paths under `dir`, with each run's own manifest shown as `manifest-<run>.json`. */
const names = (dir: string) =>
  Object.keys(snapshot(dir))
    .map((name) => (runManifestPattern.test(name) ? "manifest-<run>.json" : name))
    .sort()

const dataFiles = (dir: string) =>
  Object.fromEntries(Object.entries(snapshot(dir)).filter(([name]) => !name.startsWith("manifest")))

const rows = { A: 35, B: 20, C: 7 }

describe("runExports with the job policy", () => {
  it.effect("a-job-writes-every-export-with-a-manifest-and-no-state-left", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const { cluster } = fakeCluster(rows)
      const result = yield* runJob(job, cluster, dir)
      expect(result.failures).toHaveLength(0)
      expect(names(dir)).toEqual([
        "_.._etc_passwd.csv",
        "answer-A.csv",
        "answer-B.ndjson",
        "manifest-<run>.json",
        "manifest.json"
      ])
      const csv = NodeFs.readFileSync(NodePath.join(dir, "answer-A.csv"), "utf8")
      expect(csv.split("\r\n")[0]).toBe("n,label,day")
      expect(csv.split("\r\n")[1]).toBe('0,"row 0, ""quoted""",2020-09-13')
      expect(csv.trimEnd().split("\r\n")).toHaveLength(36)
      const manifest = result.manifest!
      expect(manifest.command).toBe("run")
      expect(manifest.job).toEqual({ file: "job.json", fingerprint: job.fingerprint })
      expect(manifest.shard).toBeNull()
      expect(manifest.exports.map((e) => [e.export, e.status])).toEqual([
        ["answer-A", "succeeded"],
        ["answer-B", "succeeded"],
        ["_.._etc_passwd", "succeeded"]
      ])
      expect(manifest.outputs.every((o) => o.resume === "written")).toBe(true)
      expect(NodeFs.existsSync(NodePath.join(dir, stateDirName))).toBe(false)
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-failed-export-is-reported-while-the-others-are-kept-and-it-leaves-no-final-file", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const { cluster } = fakeCluster(rows, new Set(["B"]))
      const result = yield* runJob(job, cluster, dir)
      expect(result.failures).toHaveLength(1)
      const b = result.manifest!.exports.find((e) => e.export === "answer-B")!
      expect(b.status).toBe("failed")
      expect(b.error).toMatch(/broke at page 1/)
      expect(NodeFs.existsSync(NodePath.join(dir, "answer-B.ndjson"))).toBe(false)
      expect(NodeFs.existsSync(NodePath.join(dir, "answer-A.csv"))).toBe(true)
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("resume-after-a-crash-mid-export-continues-and-gives-byte-identical-files", () =>
    Effect.gen(function* () {
      const reference = tempDir()
      yield* runJob(job, fakeCluster(rows).cluster, reference)
      const dir = tempDir()
      // The 3rd checkpoint of A "crashes" the export (the run records it as failed and keeps its state).
      const first = yield* runJob(job, fakeCluster(rows).cluster, dir, { exportsAtOnce: 1 }).pipe(
        crashAtCheckpoint("answer-A.csv", 3)
      )
      expect(first.failures).toHaveLength(1)
      expect(NodeFs.existsSync(NodePath.join(dir, "answer-A.csv"))).toBe(false)
      const second = fakeCluster(rows)
      const resumed = yield* runJob(job, second.cluster, dir, { resume: true })
      expect(resumed.failures).toHaveLength(0)
      expect(dataFiles(dir)).toEqual(dataFiles(reference))
      const outcome = Object.fromEntries(resumed.manifest!.outputs.map((o) => [o.export, o.resume]))
      expect(outcome).toEqual({ "answer-A": "continued", "answer-B": "skipped", "_.._etc_passwd": "skipped" })
      // Skipped outputs are not read again; the continued one is read from its checkpoint (30 rows = page 3) on.
      expect(second.reads.some((r) => r.startsWith("B@"))).toBe(false)
      expect(second.reads.filter((r) => r.startsWith("A@"))).toEqual(["A@3"])
      expect(NodeFs.existsSync(NodePath.join(dir, stateDirName))).toBe(false)
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-setting-changed-between-the-crash-and-resume-restarts-the-output-with-the-new-setting", () =>
    Effect.gen(function* () {
      const wideRows = { A: 35, B: 20 }
      const wideJob = jobOf({
        defaults: { pageSize: 10 },
        exports: [
          { type: "answer", id: "A" },
          { type: "answer", id: "B", format: "ndjson" }
        ]
      })
      const changes: ReadonlyArray<readonly [string, Settings, string?]> = [
        ["newline", { newline: "\n" }],
        ["escape-formulae", { escapeFormulae: true }],
        ["period-end", { periodEnd: true }],
        ["datetime-offset", { offset: "zone" }],
        ["tz database", { tzDatabase: "2099z" }],
        ["spotpipe version", { version: "9.9.9" }],
        ["cluster time zone", {}, "Pacific/Kiritimati"]
      ]
      for (const [name, change, zone] of changes) {
        const cluster = () => fakeCluster(wideRows, new Set(), { wide: true, ...(zone === undefined ? {} : { zone }) })
        const reference = tempDir()
        yield* runJob(wideJob, cluster().cluster, reference, change)
        const before = tempDir()
        yield* runJob(wideJob, fakeCluster(wideRows, new Set(), { wide: true }).cluster, before)
        // The setting makes a difference to A's bytes (else this case would prove nothing), except a new time-zone
        // database or spotpipe version, which change nothing of this data: there the restart itself is checked.
        if (name !== "tz database" && name !== "spotpipe version") {
          expect(dataFiles(before)["answer-A.csv"], name).not.toEqual(dataFiles(reference)["answer-A.csv"])
        }

        const dir = tempDir()
        const first = yield* runJob(wideJob, fakeCluster(wideRows, new Set(), { wide: true }).cluster, dir, {
          exportsAtOnce: 1
        }).pipe(crashAtCheckpoint("answer-A.csv", 2))
        expect(first.failures, name).toHaveLength(1)
        const resumed = yield* runJob(wideJob, cluster().cluster, dir, { ...change, resume: true })
        expect(resumed.failures, name).toHaveLength(0)
        expect(dataFiles(dir), name).toEqual(dataFiles(reference))
        // A's checkpoint and B's finished file were both made with the old setting: both start over, except B for a
        // setting that shapes only CSV bytes (NDJSON's are the same with it).
        const csvOnly = name === "newline" || name === "escape-formulae"
        expect(
          resumed.manifest!.outputs.map((o) => o.resume),
          name
        ).toEqual(["written", csvOnly ? "skipped" : "written"])
      }
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-newline-or-formula-escaping-change-keeps-and-continues-ndjson-and-parquet-outputs-on-resume", () =>
    Effect.gen(function* () {
      const wideRows = { A: 35, B: 35 }
      const textJob = jobOf({
        defaults: { pageSize: 10 },
        exports: [
          { type: "answer", id: "A", format: "ndjson" },
          { type: "answer", id: "B", format: "ndjson" }
        ]
      })
      const parquetJob = jobOf({
        defaults: { pageSize: 10 },
        exports: [
          { type: "answer", id: "A", format: "parquet" },
          { type: "answer", id: "B", format: "parquet" }
        ]
      })
      const cluster = () => fakeCluster(wideRows, new Set(), { wide: true })
      for (const [name, theJob] of [
        ["ndjson", textJob],
        ["parquet", parquetJob]
      ] as const) {
        const ext = name === "ndjson" ? "ndjson" : "parquet"
        const reference = tempDir()
        yield* runJob(theJob, cluster().cluster, reference)
        // B is finished and A is stopped after its second page, both with CRLF and no formula escaping.
        const dir = tempDir()
        const first = yield* runJob(theJob, cluster().cluster, dir, { exportsAtOnce: 1 }).pipe(
          crashAtCheckpoint(`answer-A.${ext}`, 2)
        )
        expect(first.failures, name).toHaveLength(1)
        const second = cluster()
        const resumed = yield* runJob(theJob, second.cluster, dir, {
          resume: true,
          newline: "\n",
          escapeFormulae: true
        })
        expect(resumed.failures, name).toHaveLength(0)
        expect(
          resumed.manifest!.outputs.map((o) => [o.file, o.resume]),
          name
        ).toEqual([
          [`answer-A.${ext}`, "continued"],
          [`answer-B.${ext}`, "skipped"]
        ])
        expect(
          second.reads.filter((r) => r.startsWith("B@")),
          name
        ).toEqual([])
        expect(dataFiles(dir), name).toEqual(dataFiles(reference))
      }
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-column-names-or-null-string-change-in-the-job-restarts-the-output-on-resume", () =>
    Effect.gen(function* () {
      const wideRows = { A: 35, B: 20 }
      const jobWith = (defaults: Record<string, unknown>) =>
        jobOf({
          defaults: { pageSize: 10, ...defaults },
          exports: [
            { type: "answer", id: "A", output: "a" },
            { type: "answer", id: "B", format: "ndjson", output: "b" }
          ]
        })
      const before = jobWith({})
      const changes: ReadonlyArray<readonly [string, Job]> = [
        ["column-names", jobWith({ columnNames: "snake" })],
        ["null-string", jobWith({ nullString: "NULL" })]
      ]
      for (const [name, after] of changes) {
        const reference = tempDir()
        yield* runJob(after, fakeCluster(wideRows, new Set(), { wide: true }).cluster, reference)
        const dir = tempDir()
        const first = yield* runJob(before, fakeCluster(wideRows, new Set(), { wide: true }).cluster, dir, {
          exportsAtOnce: 1
        }).pipe(crashAtCheckpoint("a.csv", 2))
        expect(first.failures, name).toHaveLength(1)
        const resumed = yield* runJob(after, fakeCluster(wideRows, new Set(), { wide: true }).cluster, dir, {
          resume: true
        })
        expect(resumed.failures, name).toHaveLength(0)
        expect(dataFiles(dir), name).toEqual(dataFiles(reference))
        // The CSV output's setting changed (its checkpoint restarts); the NDJSON one's only for `column-names`.
        expect(
          resumed.manifest!.outputs.map((o) => o.resume),
          name
        ).toEqual(name === "column-names" ? ["written", "written"] : ["written", "skipped"])
        expect(resumed.manifest!.outputs[0]!.settings, name).toMatchObject(
          name === "column-names" ? { columnNames: "snake" } : { nullString: "NULL" }
        )
      }
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-liveboard-failed-at-a-later-visualization-lists-its-published-files-and-resume-skips-them", () =>
    Effect.gen(function* () {
      const vizRows = { V1: 12, V2: 15, V3: 25 }
      const boardJob = jobOf({ defaults: { pageSize: 10 }, exports: [{ type: "liveboard", id: "LB" }] })
      const more = { liveboards: { LB: ["V1", "V2", "V3"] } }
      const dir = tempDir()
      const first = yield* runJob(boardJob, fakeCluster(vizRows, new Set(["V3"]), more).cluster, dir)
      expect(first.failures).toHaveLength(1)
      // V1 and V2 were published before V3 failed: they are on disk, so the manifest lists them.
      expect(first.manifest!.outputs.map((o) => o.file)).toEqual(["liveboard-LB/V1.csv", "liveboard-LB/V2.csv"])
      expect(first.manifest!.exports.map((e) => [e.export, e.status, e.files])).toEqual([
        ["liveboard-LB", "failed", ["liveboard-LB/V1.csv", "liveboard-LB/V2.csv"]]
      ])
      const second = fakeCluster(vizRows, new Set(), more)
      const resumed = yield* runJob(boardJob, second.cluster, dir, { resume: true })
      expect(resumed.failures).toHaveLength(0)
      expect(resumed.manifest!.outputs.map((o) => [o.file, o.resume])).toEqual([
        ["liveboard-LB/V1.csv", "skipped"],
        ["liveboard-LB/V2.csv", "skipped"],
        ["liveboard-LB/V3.csv", "continued"]
      ])
      // Only V3 is read again, from its checkpoint after its first page on.
      expect(second.reads).toEqual(["V3@1", "V3@2"])
      const reference = tempDir()
      yield* runJob(boardJob, fakeCluster(vizRows, new Set(), more).cluster, reference)
      expect(dataFiles(dir)).toEqual(dataFiles(reference))
      expect(NodeFs.existsSync(NodePath.join(dir, stateDirName))).toBe(false)
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-resume-of-a-force-run-that-stopped-replaces-what-it-had-not-reached-and-records-what-it-had", () =>
    Effect.gen(function* () {
      const newer = { A: 41, B: 27, C: 9 }
      const reference = tempDir()
      yield* runJob(job, fakeCluster(newer).cluster, reference)
      /** Dies (the process killed) when the run reaches `at`. */
      const killedAt = (at: Step) =>
        Effect.provideService(StepProbe, (step: Step) => (step === at ? Effect.die("killed") : Effect.void))
      for (const at of ["claimed", "before-manifest"] as const) {
        const dir = tempDir()
        yield* runJob(job, fakeCluster(rows).cluster, dir)
        // The next night's --force run, killed before it replaced anything, or once it replaced everything.
        const forced = yield* Effect.exit(
          runJob(job, fakeCluster(newer).cluster, dir, { force: true }).pipe(killedAt(at))
        )
        expect(Exit.isFailure(forced)).toBe(true)
        const resumed = yield* runJob(job, fakeCluster(newer).cluster, dir, { resume: true })
        expect(resumed.failures).toHaveLength(0)
        // The night's data, never the earlier night's kept as if verified.
        expect(dataFiles(dir), at).toEqual(dataFiles(reference))
        // Each entry is the file's own.
        for (const output of resumed.manifest!.outputs) {
          const bytes = NodeFs.readFileSync(NodePath.join(dir, output.file))
          expect(output.sha256, `${at}: ${output.file}`).toBe(createHash("sha256").update(bytes).digest("hex"))
        }
        expect(NodeFs.existsSync(NodePath.join(dir, stateDirName))).toBe(false)
      }
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-resume-against-another-cluster-keeps-and-continues-nothing-of-the-first-clusters-outputs", () =>
    Effect.gen(function* () {
      // The same answers on a dev and a prod cluster (the same names, the same row counts): other data.
      const dev = fakeCluster(rows).cluster
      const prod = { ...fakeCluster(rows).cluster, host: "https://prod.example.com" }
      const dir = tempDir()
      yield* runJob(job, dev, dir).pipe(crashAtCheckpoint("answer-A.csv", 2))
      const resumed = yield* runJob(job, prod, dir, { resume: true })
      expect(resumed.failures).toHaveLength(0)
      const how = Object.fromEntries(resumed.manifest!.outputs.map((o) => [o.export, o.resume]))
      expect(how).toEqual({ "answer-A": "written", "answer-B": "written", "_.._etc_passwd": "written" })
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-file-a-stopped-resume-wrote-anew-is-recorded-with-its-own-entry-not-the-earlier-runs", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      yield* runJob(job, fakeCluster(rows).cluster, dir)
      // A resume with another --newline writes every file anew, and is killed before its manifest.
      const killed = yield* Effect.exit(
        runJob(job, fakeCluster(rows).cluster, dir, { resume: true, newline: "\n" }).pipe(
          Effect.provideService(StepProbe, (step: Step) =>
            step === "before-manifest" ? Effect.die("killed") : Effect.void
          )
        )
      )
      expect(Exit.isFailure(killed)).toBe(true)
      const resumed = yield* runJob(job, fakeCluster(rows).cluster, dir, { resume: true, newline: "\n" })
      for (const output of resumed.manifest!.outputs) {
        const bytes = NodeFs.readFileSync(NodePath.join(dir, output.file))
        expect(output.sha256, output.file).toBe(createHash("sha256").update(bytes).digest("hex"))
        expect(output.bytes, output.file).toBe(bytes.length)
      }
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("an-output-named-at-length-in-a-multibyte-script-is-written-and-resumed", () =>
    Effect.gen(function* () {
      // 28 characters, 84 bytes: its resume state's names, percent-encoded, would pass the 255 bytes a name may have.
      const name = "月次売上高レポート（地域別・製品別・顧客別）第四四半期版"
      const long = jobOf({ defaults: { pageSize: 10 }, exports: [{ type: "answer", id: "A", output: name }] })
      const dir = tempDir()
      const crashed = yield* runJob(long, fakeCluster(rows).cluster, dir).pipe(crashAtCheckpoint(`${name}.csv`, 2))
      expect(crashed.failures).toHaveLength(1)
      expect(crashed.failures[0]!.error.message).toContain("crashed")
      const resumed = yield* runJob(long, fakeCluster(rows).cluster, dir, { resume: true })
      expect(resumed.failures).toHaveLength(0)
      expect(resumed.manifest!.outputs[0]!.resume).toBe("continued")
      const reference = tempDir()
      yield* runJob(long, fakeCluster(rows).cluster, reference)
      expect(dataFiles(dir)).toEqual(dataFiles(reference))
      expect(Object.keys(dataFiles(dir))).toEqual([`${name}.csv`])
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-checkpoint-temp-file-left-by-a-killed-write-is-removed-when-its-output-is-written", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      yield* runJob(job, fakeCluster(rows).cluster, dir).pipe(crashAtCheckpoint("answer-A.csv", 2))
      // A write killed between its temp file and the rename; its pid is alive (here: reused), so only the output's
      // own run may know it is stale.
      const temp = `.answer-A.csv.checkpoint.json.${process.pid}-0badcafe.tmp`
      NodeFs.writeFileSync(NodePath.join(dir, stateDirName, temp), "{")
      const resumed = yield* runJob(job, fakeCluster(rows).cluster, dir, { resume: true })
      expect(resumed.failures).toHaveLength(0)
      expect(resumed.manifest!.outputs.find((o) => o.export === "answer-A")!.resume).toBe("continued")
      expect(NodeFs.existsSync(NodePath.join(dir, stateDirName))).toBe(false)
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-changed-source-row-count-restarts-the-partial-output-cleanly", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      yield* runJob(job, fakeCluster(rows).cluster, dir).pipe(crashAtCheckpoint("answer-A.csv", 2))
      const grown = { ...rows, A: 41 }
      const resumed = yield* runJob(job, fakeCluster(grown).cluster, dir, { resume: true })
      const reference = tempDir()
      yield* runJob(job, fakeCluster(grown).cluster, reference)
      expect(resumed.failures).toHaveLength(0)
      expect(resumed.manifest!.outputs.find((o) => o.export === "answer-A")!.resume).toBe("written")
      expect(dataFiles(dir)).toEqual(dataFiles(reference))
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-changed-export-in-the-job-file-is-rewritten-on-resume", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      yield* runJob(job, fakeCluster(rows).cluster, dir)
      const changed = jobOf({
        defaults: { pageSize: 10 },
        exports: [
          { type: "answer", id: "A", format: "ndjson", output: "answer-A" },
          { type: "answer", id: "B", format: "ndjson" },
          { type: "answer", id: "C", output: "../../etc/passwd" }
        ]
      })
      const resumed = yield* runJob(changed, fakeCluster(rows).cluster, dir, { resume: true })
      expect(Object.fromEntries(resumed.manifest!.outputs.map((o) => [o.export, o.resume]))).toEqual({
        "answer-A": "written",
        "answer-B": "skipped",
        "_.._etc_passwd": "skipped"
      })
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-tampered-output-is-rewritten-on-resume", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      yield* runJob(job, fakeCluster(rows).cluster, dir)
      const before = dataFiles(dir)
      NodeFs.appendFileSync(NodePath.join(dir, "answer-B.ndjson"), "{}\n")
      const resumed = yield* runJob(job, fakeCluster(rows).cluster, dir, { resume: true })
      expect(resumed.manifest!.outputs.find((o) => o.export === "answer-B")!.resume).toBe("written")
      expect(dataFiles(dir)).toEqual(before)
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("without-resume-existing-outputs-are-refused-unless-forced", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      yield* runJob(job, fakeCluster(rows).cluster, dir)
      const before = snapshot(dir)
      const refused = yield* Effect.flip(runJob(job, fakeCluster(rows).cluster, dir))
      expect(refused.message).toMatch(
        /3 outputs of this job already exist .*nothing was written: pass --resume .* --force/
      )
      // The refused run wrote nothing: the earlier manifests, files and state are exactly as they were.
      expect(snapshot(dir)).toEqual(before)
      // Resuming the completed run skips every output without reading a data page.
      const second = fakeCluster(rows)
      const resumed = yield* runJob(job, second.cluster, dir, { resume: true })
      expect(resumed.failures).toHaveLength(0)
      expect(resumed.manifest!.outputs.map((o) => o.resume)).toEqual(["skipped", "skipped", "skipped"])
      expect(second.reads).toEqual([])
      const forced = yield* runJob(job, fakeCluster(rows).cluster, dir, { force: true })
      expect(forced.failures).toHaveLength(0)
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("no-more-than-exports-at-once-run-at-once", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const many = jobOf({ exports: Array.from({ length: 7 }, (_, i) => ({ type: "answer", id: `X${i}` })) })
      const { cluster } = fakeCluster(Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`X${i}`, 30])))
      let active = 0
      let peak = 0
      // Each read holds its first page until three reads are open at once (so the run must overlap three
      // exports, however the machine schedules them); a fourth would show in `peak`.
      const threeOpen = yield* Deferred.make<void>()
      const counted: typeof cluster = {
        ...cluster,
        answerPages: (id, pageSize) =>
          Stream.unwrap(
            Effect.gen(function* () {
              active++
              peak = Math.max(peak, active)
              if (active >= 3) yield* Deferred.succeed(threeOpen, undefined)
              return Stream.fromEffect(Deferred.await(threeOpen)).pipe(
                Stream.drain,
                Stream.concat(cluster.answerPages(id, pageSize)),
                Stream.mapEffect((page) => Effect.as(Effect.yieldNow, page)),
                Stream.ensuring(Effect.sync(() => active--))
              )
            })
          )
      }
      const result = yield* runJob(many, counted, dir, { exportsAtOnce: 3 })
      expect(result.failures).toHaveLength(0)
      expect(peak).toBe(3)
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("the-union-of-all-shards-equals-a-single-run", () =>
    Effect.gen(function* () {
      const single = tempDir()
      yield* runJob(job, fakeCluster(rows).cluster, single)
      const sharded = tempDir()
      for (let i = 1; i <= 2; i++) {
        const result = yield* runJob(job, fakeCluster(rows).cluster, sharded, { shard: { index: i, count: 2 } })
        expect(result.manifest!.shard).toEqual({ index: i, count: 2 })
      }
      expect(dataFiles(sharded)).toEqual(dataFiles(single))
      expect(names(sharded).filter((f) => f.startsWith("manifest"))).toEqual([
        "manifest-<run>.json",
        "manifest-<run>.json",
        "manifest.shard-1-of-2.json",
        "manifest.shard-2-of-2.json"
      ])
    }).pipe(Effect.provide(NodeServices.layer))
  )
})
