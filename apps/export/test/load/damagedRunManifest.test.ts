/**
 * A run manifest that `spotpipe load` is given damaged: any flipped bytes give a typed refusal or a manifest (whose
 * files are then checked against it), never another exception; a folder's torn `manifest.json` names the run's own
 * manifest to give instead when that one reads; a folder in its place is named as one.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import fc from "fast-check"
import { afterAll, describe, expect, it } from "vitest"
import { RunManifestError, readRunManifest } from "../../src/load/RunManifest.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-damaged-run-manifest-"))
afterAll(() => NodeFs.rmSync(root, { recursive: true, force: true }))

const manifestOf = (runId: string) =>
  `${JSON.stringify(
    {
      spotpipe: "0.1.0",
      run_id: runId,
      command: "answer",
      exports: [{ export: "answer A", status: "succeeded", error: null, files: ["answer-A.csv"] }],
      outputs: [
        {
          file: "answer-A.csv",
          format: "csv",
          columns: [
            { name: "n", type: "INT64" },
            { name: "s", type: "VARCHAR" }
          ],
          rows_written: 2,
          bytes: 14,
          sha256: "a".repeat(64),
          settings: { escapeFormulae: false }
        }
      ]
    },
    null,
    2
  )}\n`

let folders = 0
/** A run folder with the runs `ids` (oldest first), the last one's manifest copied to `manifest.json`. */
const runFolder = (ids: ReadonlyArray<string>) => {
  const dir = NodePath.join(root, `run-${folders++}`)
  NodeFs.mkdirSync(dir)
  for (const id of ids) NodeFs.writeFileSync(NodePath.join(dir, `manifest-${id}.json`), manifestOf(id))
  NodeFs.writeFileSync(NodePath.join(dir, "manifest.json"), manifestOf(ids.at(-1)!))
  return dir
}

const refusal = (given: string): string => {
  try {
    readRunManifest(given)
  } catch (error) {
    expect(error).toBeInstanceOf(RunManifestError)
    return (error as Error).message
  }
  throw new Error("expected a refusal")
}

const older = "20261205T000000000Z-0a0a"
const latest = "20261206T000000000Z-abcd"

describe("a damaged run manifest given to load", () => {
  it("with-bytes-flipped-is-refused-as-a-usage-error-or-read-never-another-exception", () => {
    const dir = runFolder([latest])
    const path = NodePath.join(dir, "manifest.json")
    const bytes = Buffer.from(manifestOf(latest))
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }),
        (flips) => {
          const damaged = Buffer.from(bytes)
          for (const [at, mask] of flips) damaged[at] = damaged[at]! ^ mask
          NodeFs.writeFileSync(path, damaged)
          try {
            readRunManifest(dir)
          } catch (error) {
            expect(error).toBeInstanceOf(RunManifestError)
          }
        }
      ),
      { numRuns: 300 }
    )
  })

  it("a-torn-manifest-json-names-its-runs-own-manifest-when-that-reads", () => {
    const dir = runFolder([older, latest])
    const copy = NodePath.join(dir, "manifest.json")
    NodeFs.writeFileSync(copy, manifestOf(latest).slice(0, 200))
    expect(refusal(dir)).toBe(
      `${copy} is not a spotpipe manifest (or is torn): it is a copy of its run's own manifest, ${NodePath.join(dir, `manifest-${latest}.json`)}, which reads: give that file`
    )
    // The run's own manifest torn too: the newest that reads is another run's, offered as such.
    NodeFs.writeFileSync(NodePath.join(dir, `manifest-${latest}.json`), manifestOf(latest).slice(0, 200))
    expect(refusal(dir)).toContain(
      `the newest run manifest beside it that reads is ${NodePath.join(dir, `manifest-${older}.json`)}: give that file if its run is the one to load`
    )
  })

  it("a-folder-in-place-of-manifest-json-is-named-as-one", () => {
    const dir = NodePath.join(root, "folder-in-place")
    NodeFs.mkdirSync(NodePath.join(dir, "manifest.json"), { recursive: true })
    expect(refusal(dir)).toBe(
      `${NodePath.join(dir, "manifest.json")} cannot be read (it is a folder): give a run's output folder or its manifest-….json`
    )
  })
})
