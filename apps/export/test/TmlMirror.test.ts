/** Which earlier TML files a run removes or may write over (plan/TmlMirror.ts), from manifests built by hand. */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import type { SignedInUser } from "../src/cluster/Cluster.ts"
import type { Manifest, ManifestOutput } from "../src/output/Manifest.ts"
import { earlierDocuments, idKey, planRemovals, refuseReplacing, vouchedRemovals } from "../src/plan/TmlMirror.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-tml-mirror-unit-")

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
  removed: ReadonlyArray<string> = [],
  signedIn?: SignedInUser
): Manifest => ({
  spotpipe: "0.1.0",
  run_id: "r",
  command: "tml",
  job: null,
  shard: null,
  host,
  ...(signedIn === undefined ? {} : { signed_in: signedIn }),
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
          sha256: "sha-tml/answer/Gone.tml",
          writers: [{ host, user: undefined, merge: false }]
        },
        {
          file: "tml/answer/Old name.tml",
          reason: "renamed",
          detail: "answer kept is now written to tml/answer/New name.tml",
          sha256: "sha-tml/answer/Old name.tml",
          writers: [{ host, user: undefined, merge: false }]
        }
      ],
      warnings: []
    })
    const blind = planRemovals(earlier, "tml", "yaml", ["ANSWER"], current, 1)
    expect(blind.removals).toEqual([])
    expect(blind.warnings).toEqual([expect.stringContaining("none was removed")])
  })

  it("removes a file only when every listing that wrote it since it was last removed was this user's there", () => {
    const primary = { id: 0, name: "Primary" }
    const ana: SignedInUser = { id: "ana-id", name: "ana", org: primary }
    const bob: SignedInUser = { id: "bob-id", name: "bob", org: primary }
    const anaElsewhere: SignedInUser = { ...ana, org: { id: 7, name: "Other" } }
    const earlier = earlierDocuments(
      [
        manifest(host, [output("tml/answer/Older.tml", "older"), output("tml/answer/Adopted.tml", "adopted")]),
        manifest(host, [output("tml/answer/Adopted.tml", "adopted"), output("tml/answer/Mine.tml", "mine")], [], ana),
        manifest(host, [output("tml/answer/Both.tml", "both"), output("tml/answer/Bobs.tml", "bobs")], [], ana),
        manifest(host, [output("tml/answer/Both.tml", "both"), output("tml/answer/Bobs.tml", "bobs")], [], bob),
        // Removed by bob's run, then written by ana's only: bob's record is forgotten with the removal.
        manifest(host, [], ["tml/answer/Bobs.tml"], bob),
        manifest(host, [output("tml/answer/Bobs.tml", "bobs")], [], ana),
        manifest(host, [output("tml/answer/Org.tml", "org")], [], anaElsewhere),
        manifest(host, [output("tml/answer/Shared.tml", "shared")], [], ana),
        manifest("https://other.example", [output("tml/answer/Shared.tml", "shared")], [], ana)
      ],
      host
    )
    const plan = planRemovals(earlier, "tml", "yaml", ["ANSWER"], new Map(), 0)
    expect(plan.removals).toHaveLength(7)

    const vouched = vouchedRemovals(plan, "tml", host, ana)
    expect(vouched.removals.map((r) => r.file).sort()).toEqual([
      "tml/answer/Adopted.tml",
      "tml/answer/Bobs.tml",
      "tml/answer/Mine.tml"
    ])
    expect(vouched.warnings).toEqual([
      'tml: 1 file was not removed although its object is not in this run\'s listing (or now written to another file): it was written by an earlier spotpipe version, whose manifests do not say whose listing it came from, so its object may be only hidden from user "ana" (ana-id) in Org "Primary" (0); remove it by hand if its object is gone, and run once without --modified-since as the user whose copy this folder is (each file it writes records that user), so that later runs remove such files themselves: tml/answer/Older.tml',
      'tml: 1 file was not removed although its object is not in this run\'s listing (or now written to another file): it was written from the listing of user "bob" (bob-id) in Org "Primary" (0), and this run reads as user "ana" (ana-id) in Org "Primary" (0), who may not see its object: a file is removed only by a run as the user whose listing wrote it, on the same cluster and in the same Org; run as bob in Org "Primary" (0) to remove those of objects gone, or remove it by hand if its object is gone: tml/answer/Both.tml',
      expect.stringContaining(
        'tml: 1 file was not removed although its object is not in this run\'s listing (or now written to another file): it was written from the listing of user "ana" (ana-id) in Org "Other" (7), and this run reads as user "ana" (ana-id) in Org "Primary" (0)'
      ),
      expect.stringContaining(
        'it was written from the listing of user "ana" (ana-id) in Org "Primary" (0) on https://other.example, and this run reads as'
      )
    ])
    expect(vouched.warnings[2]).toMatch(/tml\/answer\/Org\.tml$/)
    expect(vouched.warnings[3]).toMatch(/tml\/answer\/Shared\.tml$/)

    // Not knowing who reads, nothing is removed.
    const blind = vouchedRemovals(plan, "tml", host, undefined)
    expect(blind.removals).toEqual([])
    expect(blind.warnings).toEqual([expect.stringContaining("tml: 7 files were not removed")])
    expect(blind.warnings[0]).toContain("could not learn which user it is signed in as")
  })

  it("a merge's record names no user of its own: it is its shards', or says the merge did not know whose", () => {
    const ana: SignedInUser = { id: "ana-id", name: "ana", org: null }
    const merged = (outputs: ReadonlyArray<ManifestOutput>, signedIn?: SignedInUser): Manifest => ({
      ...manifest(host, outputs, [], signedIn),
      command: "merge"
    })
    const earlier = earlierDocuments(
      [
        // The shard's own record, then the merge listing it again without a user: ana's.
        manifest(host, [output("tml/answer/Shard.tml", "shard")], [], ana),
        merged([output("tml/answer/Shard.tml", "shard"), output("tml/answer/Unknown.tml", "unknown")]),
        // A merge that recorded its shards' user, alone in the folder: ana's too.
        merged([output("tml/answer/Carried.tml", "carried")], ana)
      ],
      host
    )
    const plan = vouchedRemovals(planRemovals(earlier, "tml", "yaml", ["ANSWER"], new Map(), 0), "tml", host, ana)
    expect(plan.removals.map((r) => r.file).sort()).toEqual(["tml/answer/Carried.tml", "tml/answer/Shard.tml"])
    expect(plan.warnings).toEqual([
      "tml: 1 file was not removed although its object is not in this run's listing (or now written to another file): it was listed only by spotpipe merge, whose shards did not read as one user (its manifest's warnings name them), so its object may be only hidden from user \"ana\" (ana-id); remove it by hand if its object is gone, and run once without --modified-since as the user whose copy this folder is (each file it writes records that user), so that later runs remove such files themselves: tml/answer/Unknown.tml"
    ])
  })

  it.effect("writes over another object's file only when the same user's listings alone wrote it", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const file = "tml/answer/A.tml"
      NodeFs.mkdirSync(NodePath.join(dir, "tml", "answer"), { recursive: true })
      NodeFs.writeFileSync(NodePath.join(dir, file), "guid: a\n")
      const recorded = { ...output(file, "a"), sha256: createHash("sha256").update("guid: a\n").digest("hex") }
      const ana: SignedInUser = { id: "ana-id", name: "ana", org: null }
      const bob: SignedInUser = { id: "bob-id", name: "bob", org: null }
      const b = { type: "ANSWER", id: "b" }
      const attempt = (manifests: ReadonlyArray<Manifest>, written: ReadonlySet<string> = new Set()) =>
        Effect.exit(refuseReplacing(earlierDocuments(manifests, host), dir, file, b, written, host, ana))
      // ana's own listing wrote it: its object is gone for ana, and b takes the name.
      expect(Exit.isSuccess(yield* attempt([manifest(host, [recorded], [], ana)]))).toBe(true)
      // The same object's file, or one whose object this export writes elsewhere: nothing is lost.
      const own = earlierDocuments([manifest(host, [output(file, "b")], [], bob)], host)
      expect(Exit.isSuccess(yield* Effect.exit(refuseReplacing(own, dir, file, b, new Set(), host, ana)))).toBe(true)
      const moved = new Set([idKey("ANSWER", "a")])
      expect(Exit.isSuccess(yield* attempt([manifest(host, [recorded], [], bob)], moved))).toBe(true)

      const others = yield* attempt([manifest(host, [recorded], [], bob)])
      expect(others).toEqual(
        Exit.fail(
          expect.objectContaining({
            kind: "OutputExists",
            message:
              'tml/answer/A.tml holds the TML of answer a, written from the listing of user "bob" (bob-id); this run, as user "ana" (ana-id), does not list that object (hidden from it, or gone) and would write answer b there instead: the file was left as it is. Run as bob, or export into another folder'
          })
        )
      )
      const older = yield* attempt([manifest(host, [recorded])])
      expect(Exit.isFailure(older)).toBe(true)
      expect(String(older)).toContain("remove the file by hand and run again")
      // Changed by hand since: not the recorded document, written over as any file is with --force.
      NodeFs.writeFileSync(NodePath.join(dir, file), "mine\n")
      expect(Exit.isSuccess(yield* attempt([manifest(host, [recorded], [], bob)]))).toBe(true)
    }).pipe(Effect.provide(NodeServices.layer))
  )
})
