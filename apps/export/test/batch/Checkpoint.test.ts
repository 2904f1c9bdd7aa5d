import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Path } from "effect"
import * as Checkpoint from "../../src/engine/Checkpoint.ts"
import { stateFiles } from "../../src/output/StateFolder.ts"
import type { OutputSettings } from "../../src/plan/OutputSettings.ts"
import { tempFolders } from "../support/tempFolders.ts"

const sha = (text: string) => createHash("sha256").update(text).digest("hex")
const tempDir = tempFolders("spotpipe-checkpoint-")

const record = (overrides: Partial<Checkpoint.CheckpointRecord> = {}): Checkpoint.CheckpointRecord => ({
  version: 1,
  file: "answer-Sales.csv",
  fingerprint: "fp-1",
  state: "partial",
  source_rows: 1000,
  columns: ["Region", "Revenue"],
  next_offset: 200,
  pages: 2,
  bytes: 12,
  sha256: sha("Region,Rev\r\n"),
  ...overrides
})

const settings: OutputSettings = {
  file: "answer-Sales.csv",
  format: "csv",
  pageSize: 100,
  timezone: "UTC",
  offset: "utc",
  newline: "\r\n",
  escapeFormulae: false,
  periodEnd: false,
  columnNames: "original",
  nullString: "",
  tzDatabase: "2025b",
  writerVersion: "0.1.0",
  host: "https://acme.thoughtspot.cloud"
}

const input = (overrides: Partial<Checkpoint.ResumeInput> = {}): Checkpoint.ResumeInput => ({
  fingerprint: "fp-1",
  settings,
  completed: Option.none(),
  finalSha256: Option.none(),
  checkpoint: Option.none(),
  partial: Option.none(),
  ...overrides
})

describe("Checkpoint.decide", () => {
  it("nothing-on-disk-starts-fresh", () => {
    expect(Checkpoint.decide(input())).toEqual({ _tag: "Fresh" })
  })

  it("a-complete-output-verified-by-its-manifest-is-skipped", () => {
    const completed = Option.some({ fingerprint: "fp-1", settings, sha256: "aa", rows: 7 })
    expect(Checkpoint.decide(input({ completed, finalSha256: Option.some("aa") }))).toEqual({
      _tag: "Skip",
      rows: 7,
      sha256: "aa"
    })
  })

  it("a-final-file-that-differs-from-its-manifest-restarts", () => {
    const completed = Option.some({ fingerprint: "fp-1", settings, sha256: "aa", rows: 7 })
    const decision = Checkpoint.decide(input({ completed, finalSha256: Option.some("bb") }))
    expect(decision).toEqual({ _tag: "Restart", reason: expect.stringMatching(/differs from the SHA-256/) })
  })

  it("a-complete-output-of-a-changed-export-restarts", () => {
    const completed = Option.some({ fingerprint: "fp-0", settings: undefined, sha256: "aa", rows: 7 })
    const decision = Checkpoint.decide(input({ completed, finalSha256: Option.some("aa") }))
    expect(decision).toEqual({ _tag: "Restart", reason: expect.stringMatching(/export reads changed/) })
  })

  it("a-changed-export-restarts-with-a-reason-that-names-no-job-file", () => {
    // A single command has no job file, and a moved starting point (`--since 30d`) is no edit of one.
    const decision = Checkpoint.decide(input({ checkpoint: Option.some(record({ fingerprint: "fp-0", settings })) }))
    expect(decision).toEqual({
      _tag: "Restart",
      reason:
        "what the export reads changed since the interrupted run (its object, query, runtime sort or filters, or starting point)"
    })
  })

  it("a-changed-setting-restarts-and-names-the-setting-and-both-values", () => {
    const checkpoint = record({ settings: { ...settings, newline: "\n" } })
    const decision = Checkpoint.decide(input({ fingerprint: "fp-2", checkpoint: Option.some(checkpoint) }))
    expect(decision).toEqual({
      _tag: "Restart",
      reason: "--newline changed since the interrupted run (lf → crlf)",
      settingChanged: true
    })
    const completed = Option.some({
      fingerprint: "fp-0",
      settings: { ...settings, tzDatabase: "2024a" },
      sha256: "aa",
      rows: 7
    })
    expect(Checkpoint.decide(input({ completed, finalSha256: Option.some("aa") }))).toEqual({
      _tag: "Restart",
      reason: "the time-zone database version changed since its output was written (2024a → 2025b)",
      settingChanged: true
    })
  })

  it("an-older-ndjson-record-is-never-kept-and-its-restart-is-not-blamed-on-the-newline", () => {
    // Recorded by an earlier version, which kept the run's CRLF and formula escaping for an NDJSON file.
    const now: OutputSettings = { ...settings, file: "answer-Sales.ndjson", format: "ndjson", newline: "\n" }
    const earlier = { ...now, newline: "\r\n", escapeFormulae: true, writerVersion: "0.0.9" }
    const checkpoint = record({ file: now.file, fingerprint: "fp-0", settings: earlier })
    expect(
      Checkpoint.decide(input({ fingerprint: "fp-1", settings: now, checkpoint: Option.some(checkpoint) }))
    ).toEqual({
      _tag: "Restart",
      reason: "the spotpipe version changed since the interrupted run (0.0.9 → 0.1.0)",
      settingChanged: true
    })
    // A CSV file's newline shapes its bytes: still named.
    const csv = record({ fingerprint: "fp-0", settings: { ...settings, newline: "\n", writerVersion: "0.0.9" } })
    expect(Checkpoint.decide(input({ checkpoint: Option.some(csv) }))).toMatchObject({
      reason: "--newline changed since the interrupted run (lf → crlf)"
    })
  })

  it("a-changed-null-string-or-column-names-restarts-and-shows-the-values-as-typed", () => {
    const completed = (earlier: Partial<OutputSettings>) =>
      Option.some({ fingerprint: "fp-0", settings: { ...settings, ...earlier }, sha256: "aa", rows: 7 })
    const now = { ...settings, nullString: "\\N" }
    expect(
      Checkpoint.decide(input({ settings: now, completed: completed({}), finalSha256: Option.some("aa") }))
    ).toEqual({
      _tag: "Restart",
      reason: '--null-string changed since its output was written ((empty) → "\\N")',
      settingChanged: true
    })
    expect(
      Checkpoint.decide(input({ completed: completed({ columnNames: "snake" }), finalSha256: Option.some("aa") }))
    ).toEqual({
      _tag: "Restart",
      reason: "--column-names changed since its output was written (snake → original)",
      settingChanged: true
    })
  })

  it("killed-after-rename-before-manifest-is-skipped-by-the-complete-checkpoint", () => {
    const checkpoint = record({ state: "complete", sha256: sha("all of it"), bytes: 9, next_offset: 1000 })
    const decision = Checkpoint.decide(
      input({ checkpoint: Option.some(checkpoint), finalSha256: Option.some(sha("all of it")) })
    )
    expect(decision).toEqual({ _tag: "Skip", rows: 1000, sha256: sha("all of it") })
  })

  it("killed-before-rename-publishes-the-verified-partial-file", () => {
    const checkpoint = record({ state: "complete" })
    const decision = Checkpoint.decide(
      input({ checkpoint: Option.some(checkpoint), partial: Option.some({ size: 12, prefixMatches: true }) })
    )
    expect(decision).toEqual({ _tag: "Publish", checkpoint })
  })

  it("a-partial-output-continues-from-its-checkpoint-even-with-bytes-written-after-it", () => {
    const checkpoint = record()
    const decision = Checkpoint.decide(
      input({ checkpoint: Option.some(checkpoint), partial: Option.some({ size: 40, prefixMatches: true }) })
    )
    expect(decision).toEqual({ _tag: "Continue", checkpoint })
  })

  it("stale-or-damaged-state-restarts-cleanly", () => {
    const cases: ReadonlyArray<readonly [Partial<Checkpoint.ResumeInput>, RegExp]> = [
      [{ checkpoint: Option.some("unreadable") }, /unreadable/],
      [
        {
          checkpoint: Option.some(record({ fingerprint: "fp-0" })),
          partial: Option.some({ size: 12, prefixMatches: true })
        },
        /export reads changed/
      ],
      [{ checkpoint: Option.some(record()) }, /partial file is missing/],
      [{ checkpoint: Option.some(record()), partial: Option.some({ size: 5, prefixMatches: false }) }, /shorter/],
      [
        { checkpoint: Option.some(record()), partial: Option.some({ size: 12, prefixMatches: false }) },
        /does not match/
      ],
      [{ partial: Option.some({ size: 3, prefixMatches: false }) }, /no checkpoint/],
      [{ finalSha256: Option.some("cc") }, /not vouched for/]
    ]
    for (const [overrides, reason] of cases) {
      const decision = Checkpoint.decide(input(overrides))
      expect(decision._tag).toBe("Restart")
      if (decision._tag === "Restart") expect(decision.reason).toMatch(reason)
    }
  })
})

describe("Checkpoint.confirmSource", () => {
  it("same-row-count-and-columns-continue", () => {
    expect(Checkpoint.confirmSource(record(), { availableRowCount: 1000, columns: ["Region", "Revenue"] })).toEqual({
      _tag: "Continue"
    })
  })

  it("a-changed-source-row-count-restarts", () => {
    expect(Checkpoint.confirmSource(record(), { availableRowCount: 1001, columns: ["Region", "Revenue"] })).toEqual({
      _tag: "Restart",
      reason: "the source row count changed from 1000 to 1001"
    })
  })

  it("changed-columns-restart", () => {
    expect(Checkpoint.confirmSource(record(), { availableRowCount: 1000, columns: ["Revenue", "Region"] })._tag).toBe(
      "Restart"
    )
  })
})

describe("Checkpoint files", () => {
  it.effect("a-written-record-reads-back-and-no-temp-file-remains", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const path = NodePath.join(dir, "x.checkpoint.json")
      yield* Checkpoint.write(path, record())
      yield* Checkpoint.write(path, record({ next_offset: 300, pages: 3 }))
      expect(yield* Checkpoint.read(path)).toEqual(Option.some(record({ next_offset: 300, pages: 3 })))
      expect(NodeFs.readdirSync(dir)).toEqual(["x.checkpoint.json"])
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-record-is-written-to-a-temp-file-beside-it-and-a-failed-write-keeps-the-old-record", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const path = NodePath.join(dir, "x.checkpoint.json")
      yield* Checkpoint.write(path, record())
      // Between the temp file's fsync and the rename: the temp is `.<name>.<pid>-<8 hex>.tmp`, the old record intact.
      let during: ReadonlyArray<string> = []
      const seen = Effect.sync(() => {
        during = NodeFs.readdirSync(dir).sort()
      })
      yield* Checkpoint.write(path, record({ next_offset: 300, pages: 3 }), seen)
      expect(during).toHaveLength(2)
      expect(during[0]).toMatch(new RegExp(`^\\.x\\.checkpoint\\.json\\.${process.pid}-[0-9a-f]{8}\\.tmp$`))
      expect(during[1]).toBe("x.checkpoint.json")
      // A write that dies before its rename leaves the last record as it was and no temp file.
      const exit = yield* Effect.exit(
        Checkpoint.write(path, record({ next_offset: 400, pages: 4 }), Effect.die("kill"))
      )
      expect(exit._tag).toBe("Failure")
      expect(yield* Checkpoint.read(path)).toEqual(Option.some(record({ next_offset: 300, pages: 3 })))
      expect(NodeFs.readdirSync(dir)).toEqual(["x.checkpoint.json"])
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-missing-record-is-none-and-a-torn-one-is-unreadable", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const path = NodePath.join(dir, "x.checkpoint.json")
      expect(yield* Checkpoint.read(path)).toEqual(Option.none())
      const text = JSON.stringify(record())
      NodeFs.writeFileSync(path, text.slice(0, text.length / 2))
      expect(yield* Checkpoint.read(path)).toEqual(Option.some("unreadable"))
      NodeFs.writeFileSync(path, JSON.stringify({ ...record(), bytes: -1 }))
      expect(yield* Checkpoint.read(path)).toEqual(Option.some("unreadable"))
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("the-prefix-hash-covers-exactly-the-vouched-bytes-and-can-be-continued", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const path = NodePath.join(dir, "x.partial")
      NodeFs.writeFileSync(path, "Region,Rev\r\nWest,1\r\n")
      const prefix = yield* Checkpoint.hashPrefix(path, 12)
      const got = Option.getOrThrow(prefix)
      expect(got.size).toBe(20)
      expect(got.digest).toBe(sha("Region,Rev\r\n"))
      got.hash!.update("East,2\r\n")
      expect(got.hash!.digest("hex")).toBe(sha("Region,Rev\r\nEast,2\r\n"))
      expect(Option.getOrThrow(yield* Checkpoint.hashPrefix(path, 21)).digest).toBeUndefined()
      expect(yield* Checkpoint.hashPrefix(NodePath.join(dir, "none"), 1)).toEqual(Option.none())
      expect(yield* Checkpoint.hashFile(path)).toEqual(Option.some(sha("Region,Rev\r\nWest,1\r\n")))
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("state-file-names-of-the-longest-output-paths-fit-a-file-name-and-stay-apart", () =>
    Effect.gen(function* () {
      const path = yield* Path.Path
      // A liveboard's folder and a visualization's file of 150 bytes each (the most a name gets), in Japanese.
      const long = "売".repeat(50)
      const names = [`liveboard-${long}/${long}.csv`, `liveboard-${long}/${long}x.csv`].map((file) =>
        path.basename(stateFiles("/state", file, path).checkpoint)
      )
      expect(new Set(names).size).toBe(2)
      // With the longest suffix the state adds (a checkpoint's temp: `.<name>.<pid>-<8 hex>.tmp`).
      for (const name of names) expect(Buffer.byteLength(`.${name}.4194304-0123abcd.tmp`)).toBeLessThanOrEqual(255)
      expect(path.basename(stateFiles("/state", "a b/c.csv", path).partial)).toBe("a%20b%2Fc.csv.partial")
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("inspect-continues-a-partial-file-whose-prefix-matches-and-restarts-one-that-was-altered", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const files = stateFiles(dir, "Sales Overview/Revenue.csv", yield* Path.Path)
      expect(NodePath.dirname(files.checkpoint)).toBe(dir)
      const finalPath = NodePath.join(dir, "Revenue.csv")
      NodeFs.writeFileSync(files.partial, "Region,Rev\r\nWest,")
      yield* Checkpoint.write(files.checkpoint, record())
      const options = {
        finalPath,
        checkpointPath: files.checkpoint,
        partialPath: files.partial,
        fingerprint: "fp-1",
        settings,
        completed: Option.none()
      }
      expect((yield* Checkpoint.inspect(options))._tag).toBe("Continue")
      NodeFs.writeFileSync(files.partial, "Region,REV\r\nWest,")
      expect(yield* Checkpoint.inspect(options)).toEqual({
        _tag: "Restart",
        reason: "the partial file does not match its checkpoint"
      })
      expect((yield* Checkpoint.inspect({ ...options, fingerprint: "fp-2" }))._tag).toBe("Restart")
    }).pipe(Effect.provide(NodeServices.layer))
  )
})
