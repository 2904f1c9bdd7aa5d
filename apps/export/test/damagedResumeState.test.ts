/**
 * Resume state damaged on disk (a flipped byte, a torn or hand-edited record) is never read as other state: a
 * checkpoint whose bytes are not the ones written is unreadable, and `--resume` starts that output over instead of
 * continuing from a wrong row offset.
 */
import { spawnSync } from "node:child_process"
import * as NodeFs from "node:fs"
import * as Paths from "node:path"
import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Stream } from "effect"
import fc from "fast-check"
import type { Cluster, DataPage, MetadataObject } from "../src/cluster/Cluster.ts"
import { ExportError } from "../src/ExportError.ts"
import * as Checkpoint from "../src/engine/Checkpoint.ts"
import { runExports } from "../src/engine/Engine.ts"
import { silentProgress } from "../src/engine/ExportJob.ts"
import { stateDirName } from "../src/output/OutputLock.ts"
import { makeExport } from "../src/plan/JobFile.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-damaged-resume-")

const record: Checkpoint.CheckpointRecord = {
  version: 1,
  file: "answer-A.csv",
  fingerprint: "fp-1",
  settings: { pageSize: 1000, format: "csv" },
  state: "partial",
  source_rows: 5000,
  columns: ["Region", "Revenue"],
  next_offset: 2000,
  pages: 2,
  bytes: 48_213,
  sha256: "a".repeat(64),
  job: "/jobs/nightly.json"
}

describe("a damaged checkpoint record", () => {
  const text = Checkpoint.recordText(record)
  const bytes = Buffer.from(text, "utf8")

  it("reads back as written", () => {
    assert.deepStrictEqual(Checkpoint.parseRecord(text), record)
  })

  it("with-a-digit-of-next_offset-flipped-is-unreadable", () => {
    // '2' → '3' is one bit: the JSON stays valid and the schema accepts 3000.
    const flipped = text.replace('"next_offset":2000', '"next_offset":3000')
    assert.notStrictEqual(flipped, text)
    assert.strictEqual(Checkpoint.parseRecord(flipped), "unreadable")
  })

  it("with-any-byte-flipped-is-unreadable", () => {
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (at, mask) => {
        const damaged = Buffer.from(bytes)
        damaged[at] = damaged[at]! ^ mask
        return Checkpoint.parseRecord(damaged.toString("utf8")) === "unreadable"
      }),
      { numRuns: 500 }
    )
  })

  it("cut-at-any-length-is-unreadable", () => {
    for (let length = 0; length < bytes.length; length++) {
      assert.strictEqual(Checkpoint.parseRecord(bytes.subarray(0, length).toString("utf8")), "unreadable", `${length}`)
    }
  })

  it.effect("on-disk-is-read-as-unreadable-and-resume-restarts", () =>
    Effect.gen(function* () {
      const path = Paths.join(tempDir(), "answer-A.csv.checkpoint.json")
      yield* Checkpoint.write(path, record)
      NodeFs.writeFileSync(path, NodeFs.readFileSync(path, "utf8").replace(":2000,", ":3000,"))
      const read = yield* Checkpoint.read(path)
      assert.deepStrictEqual(read, Option.some("unreadable" as const))
      const decision = Checkpoint.decide({
        fingerprint: "fp-1",
        settings: record.settings as never,
        completed: Option.none(),
        finalSha256: Option.none(),
        checkpoint: read,
        partial: Option.some({ size: 48_213, prefixMatches: false })
      })
      assert.strictEqual(decision._tag, "Restart")
      assert.include((decision as { reason: string }).reason, "the checkpoint is unreadable")
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it("a-record-of-a-job-still-names-its-owner-when-damaged-so-stale-state-is-found", () => {
    const damaged = text.replace(":2000,", ":3000,")
    const owner = Checkpoint.parseRecord(damaged, { checked: false })
    assert.strictEqual(typeof owner === "object" ? owner.job : owner, "/jobs/nightly.json")
  })
})

// ── through the engine ──

const rows = [
  [1, "one"],
  [2, "two"],
  [3, "three"]
] as const
const pageAt = (offset: number): DataPage => ({
  columnNames: ["n", "word"],
  rows: [[...rows[offset]!]],
  availableRowCount: rows.length,
  samplingRatio: 1
})

const answer: MetadataObject = {
  type: "ANSWER",
  id: "id-A",
  name: "A",
  visualizations: [
    {
      id: "viz-A",
      name: "A",
      columns: [
        { name: "n", type: "INT32" },
        { name: "word", type: "VARCHAR" }
      ]
    }
  ],
  columns: []
}

/** A cluster serving answer A's three rows a page of one row at a time from any offset; `failAt` breaks a page. */
const clusterOf = (offsets: Array<number>, failAt?: number): Cluster<ExportError> => ({
  host: "http://127.0.0.1:1",
  timeZone: Effect.succeedSome("UTC"),
  find: () => Effect.succeed([answer]),
  list: () => Effect.succeed([answer]),
  metadataPages: () => Stream.empty,
  answerPages: (_id, _pageSize, startOffset = 0) => {
    offsets.push(startOffset)
    return Stream.range(startOffset, rows.length - 1).pipe(
      Stream.mapEffect((offset) =>
        offset === failAt
          ? Effect.fail(new ExportError({ kind: "Remote", message: "connection reset" }))
          : Effect.succeed(pageAt(offset))
      )
    )
  },
  liveboardPages: () => Stream.empty,
  searchPages: () => Stream.empty
})

const exportA = makeExport({
  index: 0,
  key: undefined,
  what: 'answer "A"',
  spec: { type: "answer", id: "A" },
  format: "csv",
  timezone: undefined,
  pageSize: 1,
  strict: false
})

const run = (cluster: Cluster<ExportError>, dir: string) =>
  runExports([exportA], cluster, {
    command: "answer",
    destination: { _tag: "Directory", path: dir },
    givenIn: "command line",
    resume: true,
    keepState: true,
    onFailure: "stop",
    force: false,
    exportsAtOnce: 1,
    workers: 0,
    overlappingPages: false,
    shard: { index: 1, count: 1 },
    timeZone: "UTC",
    newline: "\r\n",
    escapeFormulae: false,
    periodEnd: false,
    strict: false,
    offset: "utc",
    version: "0.0.0",
    progress: silentProgress
  })

describe("--resume with damaged state", () => {
  it.effect("a-flipped-digit-of-next_offset-starts-the-output-over-instead-of-repeating-a-row", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const offsets: Array<number> = []
      // Two pages are written and checkpointed (next_offset 2), then the third fails.
      const first = yield* run(clusterOf(offsets, 2), dir)
      assert.include(first.failures[0]!.error.message, "connection reset")
      const checkpoint = Paths.join(dir, stateDirName, "answer-A.csv.checkpoint.json")
      const text = NodeFs.readFileSync(checkpoint, "utf8")
      assert.include(text, '"next_offset":2,')
      // '2' → '1': one bit, still a valid record of a page boundary.
      NodeFs.writeFileSync(checkpoint, text.replace('"next_offset":2,', '"next_offset":1,'))
      offsets.length = 0
      const resumed = yield* run(clusterOf(offsets), dir)
      assert.deepStrictEqual(resumed.failures, [])
      assert.deepStrictEqual(offsets, [0])
      assert.strictEqual(
        NodeFs.readFileSync(Paths.join(dir, "answer-A.csv"), "utf8"),
        "n,word\r\n1,one\r\n2,two\r\n3,three\r\n"
      )
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-named-pipe-at-the-outputs-path-is-replaced-by-the-output-not-read", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      // Opened to be hashed, a pipe with no writer blocked the run for ever.
      const target = Paths.join(dir, "answer-A.csv")
      assert.strictEqual(spawnSync("mkfifo", [target]).status, 0)
      const resumed = yield* run(clusterOf([]), dir)
      assert.deepStrictEqual(resumed.failures, [])
      assert.isTrue(NodeFs.statSync(target).isFile())
      assert.strictEqual(NodeFs.readFileSync(target, "utf8"), "n,word\r\n1,one\r\n2,two\r\n3,three\r\n")
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-folder-at-the-outputs-path-is-named-as-in-the-way", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      NodeFs.mkdirSync(Paths.join(dir, "answer-A.csv"))
      const resumed = yield* run(clusterOf([]), dir)
      assert.include(
        resumed.failures[0]!.error.message,
        `${Paths.join(dir, "answer-A.csv")}: a folder of that name is in the way; move it away`
      )
    }).pipe(Effect.provide(NodeServices.layer))
  )

  /** A run that wrote and checkpointed two pages of three, then failed; its partial file's path. */
  const interrupted = (dir: string) =>
    Effect.gen(function* () {
      const first = yield* run(clusterOf([], 2), dir)
      assert.strictEqual(first.failures.length, 1)
      return Paths.join(dir, stateDirName, "answer-A.csv.partial")
    })
  const whole = "n,word\r\n1,one\r\n2,two\r\n3,three\r\n"

  it.effect("a-partial-file-cut-anywhere-starts-the-output-over-and-the-file-is-exact", () =>
    Effect.gen(function* () {
      const vouched = Buffer.from("n,word\r\n1,one\r\n2,two\r\n")
      for (let length = 0; length < vouched.length; length++) {
        const dir = tempDir()
        const partial = yield* interrupted(dir)
        assert.isTrue(NodeFs.readFileSync(partial).equals(vouched))
        NodeFs.truncateSync(partial, length)
        const offsets: Array<number> = []
        const resumed = yield* run(clusterOf(offsets), dir)
        assert.deepStrictEqual(resumed.failures, [])
        assert.deepStrictEqual(offsets, [0], `cut at ${length}`)
        assert.strictEqual(NodeFs.readFileSync(Paths.join(dir, "answer-A.csv"), "utf8"), whole)
      }
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.effect("a-partial-file-with-a-byte-flipped-starts-over-and-bytes-past-its-checkpoint-are-cut", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(fc.nat(21), fc.integer({ min: 1, max: 255 }), (at, mask) =>
            Effect.runPromise(
              Effect.gen(function* () {
                const dir = tempDir()
                const partial = yield* interrupted(dir)
                const bytes = NodeFs.readFileSync(partial)
                bytes[at] = bytes[at]! ^ mask
                NodeFs.writeFileSync(partial, bytes)
                const offsets: Array<number> = []
                const resumed = yield* run(clusterOf(offsets), dir)
                assert.deepStrictEqual(resumed.failures, [])
                assert.deepStrictEqual(offsets, [0])
                assert.strictEqual(NodeFs.readFileSync(Paths.join(dir, "answer-A.csv"), "utf8"), whole)
              }).pipe(Effect.provide(NodeServices.layer))
            )
          ),
          { numRuns: 15 }
        )
      )
      // Bytes a crash left after the last checkpoint (a page written, not yet vouched for) are cut, not kept.
      const dir = tempDir()
      const partial = yield* interrupted(dir)
      NodeFs.appendFileSync(partial, "3,thr")
      const offsets: Array<number> = []
      yield* run(clusterOf(offsets), dir)
      assert.deepStrictEqual(offsets, [2])
      assert.strictEqual(NodeFs.readFileSync(Paths.join(dir, "answer-A.csv"), "utf8"), whole)
    }).pipe(Effect.provide(NodeServices.layer))
  )
})
