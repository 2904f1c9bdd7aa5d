/**
 * The pieces of split exports on their own: page ranges that are contiguous, balanced and the whole result; a job
 * file's parts named so they sort and dealt to shards in order; and `mergeRuns` refusing parts that do not fit
 * (page ranges with a gap, rows that do not add up, a different K, Parquet) with nothing written, and joining
 * ones that do; and part manifests a hand edit or a bad copy changed (a part's number outside its split, a split
 * of billions of parts, a run manifest that cannot be read), refused naming the file, with no work or memory in
 * proportion to the number a manifest claims, never passed over for an earlier run of the same shard.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import fc from "fast-check"
import type { Manifest, ManifestColumn, ManifestOutput, OutputPart } from "../src/output/Manifest.ts"
import { mergeRuns } from "../src/output/Merge.ts"
import { parseJobFile } from "../src/plan/JobFile.ts"
import { partRange } from "../src/plan/Planner.ts"
import * as Shard from "../src/plan/Shard.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-merge-unit-")

describe("partRange", () => {
  it("parts-are-contiguous-balanced-and-together-every-page", () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 2, max: 64 }),
        (rows, pageSize, count) => {
          const parts = Array.from({ length: count }, (_, i) => partRange({ index: i + 1, count }, rows, pageSize))
          let next = 0
          for (const part of parts) {
            expect(part.first_page).toBe(next)
            next += part.pages
          }
          expect(next).toBe(Math.ceil(rows / pageSize))
          const sizes = parts.map((p) => p.pages)
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
        }
      )
    ))
})

describe("a split export in a job file", () => {
  it("becomes-one-export-per-part-named-to-sort-and-dealt-to-shards-in-order", () => {
    const exit = parseJobFile(
      JSON.stringify({
        exports: [
          { type: "answer", id: "Orders", split: 3, output: "orders" },
          { type: "answer", id: "Sales" }
        ]
      }),
      "job.json"
    )
    if (Exit.isFailure(exit)) throw new Error(String(exit.cause))
    const keys = exit.value.exports.map((e) => e.key)
    expect(keys).toEqual([
      "orders.part-0001-of-0003",
      "orders.part-0002-of-0003",
      "orders.part-0003-of-0003",
      "answer-Sales"
    ])
    expect(new Set(exit.value.exports.map((e) => e.fingerprint)).size).toBe(4)
    expect(Shard.select(keys, { index: 2, count: 2 })).toEqual(["orders.part-0002-of-0003", "answer-Sales"])
  })
})

// ── mergeRuns on hand-made runs ──────────────────────────────────────────────────────────────────────────────

/** No job file to be found: rerun commands name a placeholder for it. */
const noJobFile = () => Effect.succeed(undefined)

const sha = (text: string) => createHash("sha256").update(text, "utf8").digest("hex")

/**
 * A run folder holding `parts` (text, rows, its page range) of `orders.csv`, listed in one manifest — each part's
 * entry as `listed` leaves it (a hand edit or a bad copy of the manifest can change it; the file keeps its name).
 */
const makeRun = (
  parts: ReadonlyArray<{ readonly text: string; readonly rows: number; readonly part: OutputPart }>,
  format: "csv" | "parquet" = "csv",
  host = "http://127.0.0.1:1",
  shard: Manifest["shard"] = null,
  listed: (part: OutputPart, i: number) => OutputPart = (part) => part
) => {
  const dir = tempDir()
  const outputs = parts.map(({ text, rows, part }, i): ManifestOutput => {
    const suffix = `.part-${String(part.index).padStart(4, "0")}-of-${String(part.count).padStart(4, "0")}`
    const file = `orders${suffix}.${format}`
    NodeFs.writeFileSync(NodePath.join(dir, file), text)
    return {
      file,
      format,
      source: { type: "ANSWER", id: "a1", name: "Orders", viz: null, query: null },
      columns: [{ name: "n", type: "INT64" }],
      rows_written: rows,
      available_data_row_count: null,
      sampling_ratio: null,
      pages: part.pages,
      bytes: Buffer.byteLength(text),
      sha256: sha(text),
      started_at: "2026-12-06T00:00:00.000Z",
      finished_at: "2026-12-06T00:00:01.000Z",
      seconds: 1,
      warnings: [],
      export: `orders${suffix}`,
      fingerprint: sha(file),
      settings: { file, newline: "\r\n" },
      timezone: "UTC",
      resume: "written",
      part: listed(part, i)
    }
  })
  const manifest: Manifest = {
    spotpipe: "0.1.0",
    run_id: "20261206T000000000Z-abcd",
    command: "run",
    job: { file: "job.json", fingerprint: "f" },
    shard,
    host,
    timezone: { name: "UTC", source: "default" },
    tz_database: "2025b",
    started_at: "2026-12-06T00:00:00.000Z",
    finished_at: "2026-12-06T00:00:02.000Z",
    seconds: 2,
    exports: [],
    outputs,
    warnings: []
  }
  NodeFs.writeFileSync(NodePath.join(dir, "manifest-20261206T000000000Z-abcd.json"), JSON.stringify(manifest))
  return dir
}

const part = (index: number, count: number, first_page: number, pages: number, source_rows = 4): OutputPart => ({
  index,
  count,
  first_page,
  pages,
  page_size: 2,
  source_rows
})

const merge = (dir: string) =>
  mergeRuns({ runs: [dir], out: dir, force: false, version: "test", jobFingerprintAt: noJobFile }).pipe(
    Effect.provide(NodeServices.layer),
    Effect.flip,
    Effect.map((error) => error.message)
  )

describe("mergeRuns", () => {
  it.effect("joins-parts-that-fit-into-one-file", () =>
    Effect.gen(function* () {
      const dir = makeRun([
        { text: "n\r\n1\r\n2\r\n", rows: 2, part: part(1, 2, 0, 1) },
        { text: "3\r\n4\r\n", rows: 2, part: part(2, 2, 1, 1) }
      ])
      const report = yield* mergeRuns({
        runs: [dir],
        out: dir,
        force: false,
        version: "test",
        jobFingerprintAt: noJobFile
      }).pipe(Effect.provide(NodeServices.layer))
      expect(report.files).toEqual([
        { file: "orders.csv", parts: 2, rows: 4, bytes: 15, sha256: sha("n\r\n1\r\n2\r\n3\r\n4\r\n") }
      ])
      expect(NodeFs.readFileSync(NodePath.join(dir, "orders.csv"), "utf8")).toBe("n\r\n1\r\n2\r\n3\r\n4\r\n")
    })
  )

  it.effect("page-ranges-with-a-gap-are-refused", () =>
    Effect.gen(function* () {
      const gap = makeRun([
        { text: "n\r\n1\r\n2\r\n", rows: 2, part: part(1, 2, 0, 1, 6) },
        { text: "5\r\n6\r\n", rows: 2, part: part(2, 2, 2, 1, 6) }
      ])
      expect(yield* merge(gap)).toMatch(
        /orders\.part-0002-of-0002\.csv starts at page 3, but the parts before it end at page 1: its page ranges are not contiguous/
      )
      expect(NodeFs.existsSync(NodePath.join(gap, "orders.csv"))).toBe(false)
    })
  )

  it.effect("shard-runs-without-a-job-run-whose-start-time-is-unreadable-are-refused", () =>
    Effect.gen(function* () {
      const one = makeRun([{ text: "n\r\n1\r\n2\r\n", rows: 2, part: part(1, 2, 0, 1) }], "csv", undefined, {
        index: 1,
        count: 2
      })
      const two = makeRun([{ text: "3\r\n4\r\n", rows: 2, part: part(2, 2, 1, 1) }], "csv", undefined, {
        index: 2,
        count: 2
      })
      // Without a job run, the start times are all that tells two nights apart: one that does not read is refused.
      const manifest = NodePath.join(two, "manifest-20261206T000000000Z-abcd.json")
      NodeFs.writeFileSync(
        manifest,
        JSON.stringify({ ...JSON.parse(NodeFs.readFileSync(manifest, "utf8")), started_at: "last night" })
      )
      const message = yield* mergeRuns({
        runs: [one, two],
        out: one,
        force: false,
        version: "test",
        jobFingerprintAt: noJobFile
      }).pipe(
        Effect.provide(NodeServices.layer),
        Effect.flip,
        Effect.map((error) => error.message)
      )
      expect(message).toMatch(
        /the latest run of shard 2 of 2 of the job job\.json .* has no job run id and no readable start time \(last night\), so merge cannot tell whether it is of the same run as the other shards/
      )
      expect(NodeFs.existsSync(NodePath.join(one, "orders.csv"))).toBe(false)
    })
  )

  it.effect("rows-that-do-not-add-up-are-refused", () =>
    Effect.gen(function* () {
      const dir = makeRun([
        { text: "n\r\n1\r\n2\r\n", rows: 2, part: part(1, 2, 0, 1) },
        { text: "3\r\n", rows: 1, part: part(2, 2, 1, 1) }
      ])
      expect(yield* merge(dir)).toMatch(/its parts hold 3 rows, but the result had 4: rows are missing or repeated/)
      expect(NodeFs.existsSync(NodePath.join(dir, "orders.csv"))).toBe(false)
    })
  )

  it.effect("parts-of-different-splits-are-refused", () =>
    Effect.gen(function* () {
      const dir = makeRun([
        { text: "n\r\n1\r\n2\r\n", rows: 2, part: part(1, 2, 0, 1) },
        { text: "3\r\n4\r\n", rows: 2, part: part(2, 3, 1, 1) }
      ])
      expect(yield* merge(dir)).toMatch(
        /orders\.part-0002-of-0003\.csv is a part of 3, orders\.part-0001-of-0002\.csv a part of 2: the parts come from runs with different "split"/
      )
    })
  )

  it.effect("parts-from-embedded-sandboxes-with-different-options-are-refused-naming-both", () =>
    Effect.gen(function* () {
      const first = makeRun(
        [{ text: "n\r\n1\r\n2\r\n", rows: 2, part: part(1, 2, 0, 1) }],
        "csv",
        "sandbox:embedded?rows=4&seed=1&timezone=UTC",
        { index: 1, count: 2 }
      )
      const second = makeRun(
        [{ text: "3\r\n4\r\n", rows: 2, part: part(2, 2, 1, 1) }],
        "csv",
        "sandbox:embedded?rows=4&seed=2&timezone=UTC",
        { index: 2, count: 2 }
      )
      const message = yield* mergeRuns({
        runs: [first, second],
        out: first,
        force: false,
        version: "test",
        jobFingerprintAt: noJobFile
      }).pipe(
        Effect.provide(NodeServices.layer),
        Effect.flip,
        Effect.map((error) => error.message)
      )
      expect(message).toContain(
        "orders.part-0002-of-0002.csv and orders.part-0001-of-0002.csv (shard 2 of 2 and shard 1 of 2) differ in host (sandbox:embedded?rows=4&seed=2&timezone=UTC and sandbox:embedded?rows=4&seed=1&timezone=UTC)"
      )
      expect(NodeFs.existsSync(NodePath.join(first, "orders.csv"))).toBe(false)
    })
  )

  it.effect("parts-whose-columns-differ-are-refused-saying-which-columns-differ-and-which-shards-wrote-them", () =>
    Effect.gen(function* () {
      const shardRun = (text: string, index: number, columns: ReadonlyArray<ManifestColumn>) => {
        const dir = makeRun([{ text, rows: 2, part: part(index, 2, index - 1, 1) }], "csv", undefined, {
          index,
          count: 2
        })
        const at = NodePath.join(dir, "manifest-20261206T000000000Z-abcd.json")
        const manifest = JSON.parse(NodeFs.readFileSync(at, "utf8")) as Manifest
        NodeFs.writeFileSync(at, JSON.stringify({ ...manifest, outputs: [{ ...manifest.outputs[0]!, columns }] }))
        return dir
      }
      // A wide result whose answer changed between the shards' runs: a column retyped, one added, one gone.
      const wide = Array.from({ length: 30 }, (_, i) => ({ name: `Measure number ${i + 1}`, type: "INT64" }))
      const first = shardRun("n\r\n1\r\n2\r\n", 1, [
        ...wide,
        { name: "Revenue", type: "INT64" },
        { name: "Cost", type: "DOUBLE" }
      ])
      const second = shardRun("3\r\n4\r\n", 2, [
        ...wide,
        { name: "Revenue", type: "DOUBLE" },
        { name: "Margin", type: "DOUBLE" }
      ])
      const message = yield* mergeRuns({
        runs: [first, second],
        out: first,
        force: false,
        version: "test",
        jobFingerprintAt: noJobFile
      }).pipe(
        Effect.provide(NodeServices.layer),
        Effect.flip,
        Effect.map((error) => error.message)
      )
      expect(message).toContain(
        'orders.csv: orders.part-0002-of-0002.csv and orders.part-0001-of-0002.csv (shard 2 of 2 and shard 1 of 2) differ in columns (only part 2 has "Margin" (DOUBLE); only part 1 has "Cost" (DOUBLE); "Revenue" is DOUBLE in part 2, INT64 in part 1): the parts come from different runs or settings'
      )
      expect(NodeFs.existsSync(NodePath.join(first, "orders.csv"))).toBe(false)
      // The same columns in another order: the first place they differ.
      const swapped = [{ name: "Cost", type: "DOUBLE" }, ...wide]
      const message2 = yield* mergeRuns({
        runs: [shardRun("n\r\n1\r\n2\r\n", 1, [...wide, swapped[0]!]), shardRun("3\r\n4\r\n", 2, swapped)],
        out: tempDir(),
        force: false,
        version: "test",
        jobFingerprintAt: noJobFile
      }).pipe(
        Effect.provide(NodeServices.layer),
        Effect.flip,
        Effect.map((error) => error.message)
      )
      expect(message2).toContain('differ in columns (column 1 is "Cost" in part 2, "Measure number 1" in part 1)')
    })
  )

  it.effect("the-jobs-other-outputs-in-the-folder-are-listed-by-the-merged-run-and-one-changed-since-fails-it", () =>
    Effect.gen(function* () {
      const dir = makeRun([
        { text: "n\r\n1\r\n2\r\n", rows: 2, part: part(1, 2, 0, 1) },
        { text: "3\r\n4\r\n", rows: 2, part: part(2, 2, 1, 1) }
      ])
      // Two more outputs of the same run: one as recorded, one changed since.
      const manifestPath = NodePath.join(dir, "manifest-20261206T000000000Z-abcd.json")
      const manifest = JSON.parse(NodeFs.readFileSync(manifestPath, "utf8")) as Manifest
      const { part: _, ...first } = manifest.outputs[0]!
      const other = (file: string, text: string, recorded: string): ManifestOutput => {
        NodeFs.writeFileSync(NodePath.join(dir, file), text)
        return { ...first, file, export: file, bytes: Buffer.byteLength(recorded), sha256: sha(recorded) }
      }
      NodeFs.writeFileSync(
        manifestPath,
        JSON.stringify({
          ...manifest,
          outputs: [
            ...manifest.outputs,
            other("kept.csv", "n\r\n7\r\n", "n\r\n7\r\n"),
            other("changed.csv", "n\r\n9\r\n", "n\r\n8\r\n")
          ]
        })
      )
      // A file the merged run would list but that changed since its run wrote it: the merge writes nothing.
      const before = NodeFs.readdirSync(dir).sort()
      expect(yield* merge(dir)).toMatch(/changed\.csv is not the file the run of the job recorded/)
      expect(NodeFs.readdirSync(dir).sort()).toEqual(before)
      // As recorded again, both are listed beside the merged file.
      NodeFs.writeFileSync(NodePath.join(dir, "changed.csv"), "n\r\n8\r\n")
      const report = yield* mergeRuns({
        runs: [dir],
        out: dir,
        force: false,
        version: "test",
        jobFingerprintAt: noJobFile
      }).pipe(Effect.provide(NodeServices.layer))
      expect([...report.others].sort()).toEqual(["changed.csv", "kept.csv"])
      const merged = JSON.parse(NodeFs.readFileSync(report.manifestPath, "utf8")) as Manifest
      expect(merged.outputs.map((o) => o.file).sort()).toEqual(["changed.csv", "kept.csv", "orders.csv"])
      // Into another folder, the files are not beside the merged one: only the merged file is listed.
      const elsewhere = tempDir()
      const apart = yield* mergeRuns({
        runs: [dir],
        out: elsewhere,
        force: false,
        version: "test",
        jobFingerprintAt: noJobFile
      }).pipe(Effect.provide(NodeServices.layer))
      expect(apart.others).toEqual([])
    })
  )

  it.effect("parquet-parts-are-refused", () =>
    Effect.gen(function* () {
      const dir = makeRun(
        [
          { text: "PAR1", rows: 2, part: part(1, 2, 0, 1) },
          { text: "PAR1", rows: 2, part: part(2, 2, 1, 1) }
        ],
        "parquet"
      )
      expect(yield* merge(dir)).toMatch(/Parquet parts cannot be joined/)
    })
  )
})

/** The two-part run of `orders.csv`, its part entries as `edit` leaves them. */
const damagedRun = (edit: (part: OutputPart, i: number) => OutputPart) =>
  makeRun(
    [
      { text: "n\r\n1\r\n2\r\n", rows: 2, part: part(1, 2, 0, 1) },
      { text: "3\r\n4\r\n", rows: 2, part: part(2, 2, 1, 1) }
    ],
    "csv",
    undefined,
    null,
    edit
  )

/** The merge's refusal (a typed failure, not a defect), and what it left in `dir`. */
const refusal = (dir: string) =>
  mergeRuns({ runs: [dir], out: dir, force: false, version: "test", jobFingerprintAt: noJobFile }).pipe(
    Effect.provide(NodeServices.layer),
    Effect.flip,
    Effect.map((error) => {
      expect(NodeFs.existsSync(NodePath.join(dir, "orders.csv"))).toBe(false)
      return error.message
    })
  )

describe("merge of damaged part manifests", () => {
  it.effect("the-undamaged-run-merges", () =>
    Effect.gen(function* () {
      const dir = damagedRun((p) => p)
      yield* mergeRuns({ runs: [dir], out: dir, force: false, version: "test", jobFingerprintAt: noJobFile }).pipe(
        Effect.provide(NodeServices.layer)
      )
      expect(NodeFs.readFileSync(NodePath.join(dir, "orders.csv"), "utf8")).toBe("n\r\n1\r\n2\r\n3\r\n4\r\n")
    })
  )

  for (const count of [-1, 0]) {
    it.effect(`a-split-of-${count}-parts-is-refused-as-damaged-naming-the-part`, () =>
      Effect.gen(function* () {
        const message = yield* refusal(damagedRun((p) => ({ ...p, count })))
        expect(message).toContain(
          `orders.part-0001-of-0002.csv is listed as part 1 of ${count}, which no split writes: its manifest is damaged`
        )
      })
    )
  }

  it.effect("a-part-numbered-beyond-its-split-is-refused-as-damaged", () =>
    Effect.gen(function* () {
      const message = yield* refusal(damagedRun((p, i) => (i === 1 ? { ...p, index: 7 } : p)))
      expect(message).toContain("orders.part-0002-of-0002.csv is listed as part 7 of 2, which no split writes")
    })
  )

  it.effect("billions-of-parts-missing-are-counted-without-listing-them", () =>
    Effect.gen(function* () {
      const message = yield* refusal(damagedRun((p) => ({ ...p, count: 4_000_000_000 })))
      expect(message).toContain("orders.csv: 3999999998 of its 4000000000 parts are missing (part 3, 4, 5, 6, 7, …)")
    })
  )

  it.effect("a-folder-whose-only-manifest-is-damaged-is-refused-naming-it", () =>
    Effect.gen(function* () {
      const dir = damagedRun((p) => p)
      const manifest = NodePath.join(dir, "manifest-20261206T000000000Z-abcd.json")
      const text = NodeFs.readFileSync(manifest, "utf8")
      for (const damaged of [text.slice(0, text.length >> 1), text.replace('"count":2', `"count":${2 ** 53 + 2}`)]) {
        NodeFs.writeFileSync(manifest, damaged)
        const message = yield* Effect.flip(
          mergeRuns({ runs: [dir], out: dir, force: false, version: "test", jobFingerprintAt: noJobFile }).pipe(
            Effect.provide(NodeServices.layer)
          )
        ).pipe(Effect.map((error) => error.message))
        expect(message).toContain(`holds no spotpipe manifest that can be read: ${NodePath.resolve(manifest)} is not`)
        expect(message).toContain("run the shard that wrote it again")
      }
    })
  )

  it.effect("a-damaged-manifest-of-a-later-run-is-not-passed-over-for-the-earlier-one", () =>
    Effect.gen(function* () {
      const dir = damagedRun((p) => p)
      // A later run of the job (that may have written the parts again), its manifest torn by a bad copy.
      const later = NodePath.join(dir, "manifest-20261207T000000000Z-beef.json")
      NodeFs.writeFileSync(later, '{"spotpipe":"0.1.0","run_id":"20261207T000000000Z-beef","command":"ru')
      const message = yield* refusal(dir)
      expect(message).toContain(`${NodePath.resolve(later)} is not a spotpipe manifest (torn, damaged or not a file)`)
      expect(message).toContain("nothing was written")
      // One older than the runs merged cannot be a shard's latest run: it is passed over.
      NodeFs.renameSync(later, NodePath.join(dir, "manifest-20261205T000000000Z-beef.json"))
      yield* mergeRuns({ runs: [dir], out: dir, force: false, version: "test", jobFingerprintAt: noJobFile }).pipe(
        Effect.provide(NodeServices.layer)
      )
      expect(NodeFs.readFileSync(NodePath.join(dir, "orders.csv"), "utf8")).toBe("n\r\n1\r\n2\r\n3\r\n4\r\n")
    })
  )
})
