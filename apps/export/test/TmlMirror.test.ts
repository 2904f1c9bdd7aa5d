/** Which earlier TML files a run removes (plan/TmlMirror.ts), from manifests built by hand. */
import { describe, expect, it } from "@effect/vitest"
import type { Manifest, ManifestOutput } from "../src/output/Manifest.ts"
import { earlierDocuments, idKey, planRemovals } from "../src/plan/TmlMirror.ts"

const output = (file: string, id: string, type = "ANSWER", format: "yaml" | "json" = "yaml"): ManifestOutput => ({
  file,
  format,
  source: { type, id, name: file, viz: null, query: null },
  columns: [],
  rows_written: 0,
  available_data_row_count: null,
  sampling_ratio: null,
  pages: 0,
  bytes: 1,
  sha256: `sha-${file}`,
  started_at: "2026-01-01T00:00:00.000Z",
  finished_at: "2026-01-01T00:00:00.000Z",
  seconds: 0,
  warnings: [],
  export: file.split("/")[0]!,
  fingerprint: "f",
  timezone: "UTC",
  resume: "written"
})

const manifest = (
  host: string,
  outputs: ReadonlyArray<ManifestOutput>,
  removed: ReadonlyArray<string> = []
): Manifest => ({
  spotpipe: "0.1.0",
  run_id: "r",
  command: "tml",
  job: null,
  shard: null,
  host,
  timezone: { name: "UTC", source: "default" },
  tz_database: "2025a",
  started_at: "2026-01-01T00:00:00.000Z",
  finished_at: "2026-01-01T00:00:00.000Z",
  seconds: 0,
  exports: [
    {
      export: "tml",
      index: 0,
      type: "tml",
      status: "succeeded",
      error: null,
      files: [],
      removed: removed.map((file) => ({ file, reason: "deleted" as const, detail: "gone" }))
    }
  ],
  outputs,
  warnings: []
})

const host = "https://a.example"

describe("TmlMirror", () => {
  it("takes each file's latest record from the same cluster, and forgets a removed one", () => {
    const earlier = earlierDocuments(
      [
        manifest(host, [output("tml/answer/A.tml", "a"), output("tml/answer/B.tml", "b")]),
        manifest("https://other.example", [output("tml/answer/C.tml", "c")]),
        manifest(host, [output("tml/answer/A.tml", "a2")], ["tml/answer/B.tml"])
      ],
      host
    )
    expect([...earlier.keys()]).toEqual(["tml/answer/A.tml"])
    expect(earlier.get("tml/answer/A.tml")?.id).toBe("a2")
  })

  it("removes only the export's own files of its format and types, and nothing when an object has no GUID", () => {
    const earlier = earlierDocuments(
      [
        manifest(host, [
          output("tml/answer/Gone.tml", "gone"),
          output("tml/answer/Old name.tml", "kept"),
          output("tml/answer/Json.tml.json", "json", "ANSWER", "json"),
          output("tml/liveboard/Board.tml", "board", "LIVEBOARD"),
          output("other/answer/Else.tml", "else")
        ])
      ],
      host
    )
    const current = new Map([[idKey("ANSWER", "kept"), "tml/answer/New name.tml"]])
    expect(planRemovals(earlier, "tml", "yaml", ["ANSWER"], current, 0)).toEqual({
      removals: [
        {
          file: "tml/answer/Gone.tml",
          reason: "deleted",
          detail: "answer gone is no longer listed on the cluster",
          sha256: "sha-tml/answer/Gone.tml"
        },
        {
          file: "tml/answer/Old name.tml",
          reason: "renamed",
          detail: "answer kept is now written to tml/answer/New name.tml",
          sha256: "sha-tml/answer/Old name.tml"
        }
      ],
      warnings: []
    })
    const blind = planRemovals(earlier, "tml", "yaml", ["ANSWER"], current, 1)
    expect(blind.removals).toEqual([])
    expect(blind.warnings).toEqual([expect.stringContaining("none was removed")])
  })
})
