/**
 * `spotpipe merge` reading part manifests that a hand edit or a bad copy changed: a part's number outside its
 * split, or a split of billions of parts, is refused naming the file, with nothing written and no work or memory
 * in proportion to the number the manifest claims; a run manifest that cannot be read at all is named, never passed
 * over for an earlier run of the same shard.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Manifest, ManifestOutput, OutputPart } from "../src/output/Manifest.ts"
import { mergeRuns } from "../src/output/Merge.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-damaged-merge-")

const sha = (text: string) => createHash("sha256").update(text, "utf8").digest("hex")

/** A run folder whose manifest lists `orders.csv` in two parts of two rows each, as `edit` leaves their entries. */
const runWith = (edit: (part: OutputPart, i: number) => OutputPart) => {
  const dir = tempDir()
  const texts = ["n\r\n1\r\n2\r\n", "3\r\n4\r\n"]
  const outputs = texts.map((text, i): ManifestOutput => {
    const file = `orders.part-000${i + 1}-of-0002.csv`
    NodeFs.writeFileSync(NodePath.join(dir, file), text)
    const part: OutputPart = { index: i + 1, count: 2, first_page: i, pages: 1, page_size: 2, source_rows: 4 }
    return {
      file,
      format: "csv",
      source: { type: "ANSWER", id: "a1", name: "Orders", viz: null, query: null },
      columns: [{ name: "n", type: "INT64" }],
      rows_written: 2,
      available_data_row_count: null,
      sampling_ratio: null,
      pages: 1,
      bytes: Buffer.byteLength(text),
      sha256: sha(text),
      started_at: "2026-12-06T00:00:00.000Z",
      finished_at: "2026-12-06T00:00:01.000Z",
      seconds: 1,
      warnings: [],
      export: file.slice(0, -4),
      fingerprint: sha(file),
      settings: { file, newline: "\r\n" },
      timezone: "UTC",
      resume: "written",
      part: edit(part, i)
    }
  })
  const manifest: Manifest = {
    spotpipe: "0.1.0",
    run_id: "20261206T000000000Z-abcd",
    command: "run",
    job: { file: "job.json", fingerprint: "f" },
    shard: null,
    host: "http://127.0.0.1:1",
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

/** The merge's refusal (a typed failure, not a defect), and what it left in `dir`. */
const refusal = (dir: string) =>
  mergeRuns({ runs: [dir], out: dir, force: false, version: "test" }).pipe(
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
      const dir = runWith((p) => p)
      yield* mergeRuns({ runs: [dir], out: dir, force: false, version: "test" }).pipe(
        Effect.provide(NodeServices.layer)
      )
      expect(NodeFs.readFileSync(NodePath.join(dir, "orders.csv"), "utf8")).toBe("n\r\n1\r\n2\r\n3\r\n4\r\n")
    })
  )

  for (const count of [-1, 0]) {
    it.effect(`a-split-of-${count}-parts-is-refused-as-damaged-naming-the-part`, () =>
      Effect.gen(function* () {
        const message = yield* refusal(runWith((p) => ({ ...p, count })))
        expect(message).toContain(
          `orders.part-0001-of-0002.csv is listed as part 1 of ${count}, which no split writes: its manifest is damaged`
        )
      })
    )
  }

  it.effect("a-part-numbered-beyond-its-split-is-refused-as-damaged", () =>
    Effect.gen(function* () {
      const message = yield* refusal(runWith((p, i) => (i === 1 ? { ...p, index: 7 } : p)))
      expect(message).toContain("orders.part-0002-of-0002.csv is listed as part 7 of 2, which no split writes")
    })
  )

  it.effect("billions-of-parts-missing-are-counted-without-listing-them", () =>
    Effect.gen(function* () {
      const message = yield* refusal(runWith((p) => ({ ...p, count: 4_000_000_000 })))
      expect(message).toContain("orders.csv: 3999999998 of its 4000000000 parts are missing (part 3, 4, 5, 6, 7, …)")
    })
  )

  it.effect("a-folder-whose-only-manifest-is-damaged-is-refused-naming-it", () =>
    Effect.gen(function* () {
      const dir = runWith((p) => p)
      const manifest = NodePath.join(dir, "manifest-20261206T000000000Z-abcd.json")
      const text = NodeFs.readFileSync(manifest, "utf8")
      for (const damaged of [text.slice(0, text.length >> 1), text.replace('"count":2', `"count":${2 ** 53 + 2}`)]) {
        NodeFs.writeFileSync(manifest, damaged)
        const message = yield* Effect.flip(
          mergeRuns({ runs: [dir], out: dir, force: false, version: "test" }).pipe(Effect.provide(NodeServices.layer))
        ).pipe(Effect.map((error) => error.message))
        expect(message).toContain(`holds no spotpipe manifest that can be read: ${NodePath.resolve(manifest)} is not`)
        expect(message).toContain("run the shard that wrote it again")
      }
    })
  )

  it.effect("a-damaged-manifest-of-a-later-run-is-not-passed-over-for-the-earlier-one", () =>
    Effect.gen(function* () {
      const dir = runWith((p) => p)
      // A later run of the job (that may have written the parts again), its manifest torn by a bad copy.
      const later = NodePath.join(dir, "manifest-20261207T000000000Z-beef.json")
      NodeFs.writeFileSync(later, '{"spotpipe":"0.1.0","run_id":"20261207T000000000Z-beef","command":"ru')
      const message = yield* refusal(dir)
      expect(message).toContain(`${NodePath.resolve(later)} is not a spotpipe manifest (torn, damaged or not a file)`)
      expect(message).toContain("nothing was written")
      // One older than the runs merged cannot be a shard's latest run: it is passed over.
      NodeFs.renameSync(later, NodePath.join(dir, "manifest-20261205T000000000Z-beef.json"))
      yield* mergeRuns({ runs: [dir], out: dir, force: false, version: "test" }).pipe(
        Effect.provide(NodeServices.layer)
      )
      expect(NodeFs.readFileSync(NodePath.join(dir, "orders.csv"), "utf8")).toBe("n\r\n1\r\n2\r\n3\r\n4\r\n")
    })
  )
})
