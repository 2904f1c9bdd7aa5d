/**
 * A resume that finds an output staged or written under an earlier spotpipe version's fingerprint rules (the same
 * export with the same settings, hashed under an earlier rules version) says so, instead of blaming what the export
 * reads; a fingerprint no earlier rules give keeps that line.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import * as Checkpoint from "../../src/engine/Checkpoint.ts"
import { canonicalJson, parseJobFile } from "../../src/plan/JobFile.ts"
import { fingerprintOf, type OutputSettings } from "../../src/plan/OutputSettings.ts"
import { runInProcess } from "../support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-earlier-rules-")
const sandbox = testSandbox({ rows: 300 })

/** The fingerprint an earlier spotpipe gave an output: `fingerprintOf`'s hash under rules version `v`. */
const under = (v: number, reading: string, settings: unknown) =>
  createHash("sha256")
    .update(canonicalJson({ v, export: reading, settings }), "utf8")
    .digest("hex")

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

const reading = canonicalJson(["export-fp", { id: "guid-1" }])

const checkpointOf = (fingerprint: string): Checkpoint.CheckpointRecord => ({
  version: 1,
  file: settings.file,
  fingerprint,
  settings,
  state: "partial",
  source_rows: 1000,
  columns: ["Region"],
  next_offset: 100,
  pages: 1,
  bytes: 7,
  sha256: "0".repeat(64)
})

const decideOver = (earlier: string) =>
  Checkpoint.decide({
    fingerprint: fingerprintOf(reading, settings),
    settings,
    readings: ["export-fp", reading],
    completed: Option.none(),
    finalSha256: Option.none(),
    checkpoint: Option.some(checkpointOf(earlier)),
    partial: Option.some({ size: 7, prefixMatches: true })
  })

describe("a resume over an earlier version's fingerprint rules", () => {
  it("an-output-staged-under-earlier-rules-is-said-to-be", () => {
    for (const v of [1, 2]) {
      expect(decideOver(under(v, reading, settings))).toEqual({
        _tag: "Restart",
        reason: "staged by an earlier spotpipe version whose resume rules differ, so it is written anew"
      })
    }
  })

  it("a-changed-object-still-says-what-is-read-changed", () => {
    // Earlier rules, but another object: the rules are not what made it restart alone.
    const other = canonicalJson(["export-fp", { id: "guid-2" }])
    for (const earlier of [under(2, other, settings), fingerprintOf(other, settings)]) {
      expect(decideOver(earlier)).toEqual({
        _tag: "Restart",
        reason: expect.stringMatching(/^what the export reads changed since the interrupted run/)
      })
    }
  })

  it("a-later-rules-version-is-not-called-earlier", () => {
    expect(decideOver(under(99, reading, settings))).toEqual({
      _tag: "Restart",
      reason: expect.stringMatching(/^what the export reads changed/)
    })
  })

  it.live(
    "a-run-written-under-earlier-rules-restarts-saying-so",
    () =>
      Effect.gen(function* () {
        const job = writeJob(tempDir(), { exports: [{ type: "answer", id: "Order Details" }] })
        const out = tempDir()
        const env = sandboxEnv(sandbox.sandbox)
        const first = yield* runInProcess(["run", job, "--out", out], env)
        expect(first.code, first.stderr).toBe(0)
        // The manifest as the version before rules v3 wrote it: the same entry, its fingerprint hashed under v2.
        const parsed = parseJobFile(NodeFs.readFileSync(job, "utf8"), job)
        if (!Exit.isSuccess(parsed)) throw new Error("the job file does not parse")
        const exportFingerprint = parsed.value.exports[0]!.fingerprint
        for (const name of NodeFs.readdirSync(out).filter((n) => n.startsWith("manifest"))) {
          const file = NodePath.join(out, name)
          const manifest = JSON.parse(NodeFs.readFileSync(file, "utf8"))
          for (const output of manifest.outputs) {
            const read = canonicalJson([exportFingerprint, { id: output.source.id }])
            expect(fingerprintOf(read, output.settings)).toBe(output.fingerprint)
            output.fingerprint = under(2, read, output.settings)
          }
          NodeFs.writeFileSync(file, JSON.stringify(manifest, null, 2))
        }
        const resumed = yield* runInProcess(["run", job, "--out", out, "--resume"], env)
        expect(resumed.code, resumed.stderr).toBe(0)
        expect(resumed.stderr.split("\n").filter((line) => line.includes("starting over"))).toEqual([
          "spotpipe: warning: answer-Order Details.csv: written by an earlier spotpipe version whose resume rules differ, so it is written anew: starting over"
        ])
      }),
    { timeout: 60_000 }
  )
})
