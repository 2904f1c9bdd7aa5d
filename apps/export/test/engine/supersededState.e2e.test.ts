/**
 * Resume state left under a name no run writes any more: an output stopped midway, then written under another name
 * (an earlier version named it otherwise, or another output name is given). The state is kept — a run that writes
 * that name again resumes it — and each run of the export names it in one warning with the command that removes
 * it; another export's state, or another owner's, is not named. The run killed midway is a process; the runs after
 * it are in-process.
 */
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import * as Checkpoint from "../../src/engine/Checkpoint.ts"
import { shellWord } from "../../src/Interruption.ts"
import { canonicalJson } from "../../src/plan/JobFile.ts"
import { fingerprintOf, type OutputSettings } from "../../src/plan/OutputSettings.ts"
import { runCliInProcess } from "../support/inProcess.ts"
import { killAtStepPath, runNode } from "../support/runCli.ts"
import { sandboxEnv } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-superseded-state-")
let sandbox: RunningSandbox
let env: Record<string, string>

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 1_000, seed: 7 })
  env = sandboxEnv(sandbox)
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
})

const leftLines = (stderr: string) => stderr.split("\n").filter((line) => line.includes("also holds the resume state"))

describe("resume state under a name no run writes any more", () => {
  it("is-kept-and-named-with-the-command-that-removes-it", async () => {
    const out = tempDir()
    const answer = ["answer", "Order Details", "--out", out, "--page-size", "70"]
    const killed = await runNode([killAtStepPath, "checkpoint-written:2", ...answer, "--resume"], { env })
    expect(killed.signal, killed.stderr).toBe("SIGKILL")
    const state = NodePath.join(out, ".spotpipe-state")
    const left = NodeFs.readdirSync(state).filter((name) => name.startsWith("answer-Order%20Details.csv"))
    expect(left.sort()).toEqual(["answer-Order%20Details.csv.checkpoint.json", "answer-Order%20Details.csv.partial"])

    // Another answer stopped midway in the same folder: not this export's.
    const other = await runNode(
      [killAtStepPath, "checkpoint-written:1", "answer", "Revenue by Month", "--out", out, "--resume"],
      { env }
    )
    expect(other.signal, other.stderr).toBe("SIGKILL")

    // The same export under another name: written whole, the earlier name's state kept and named.
    const renamed = await runCliInProcess([...answer, "--output-name", "orders"], { env })
    expect(renamed.code, renamed.stderr).toBe(0)
    const paths = left.sort().map((name) => shellWord(NodePath.join(state, name)))
    expect(leftLines(renamed.stderr)).toEqual([
      `spotpipe: warning: orders.csv: .spotpipe-state/ also holds the resume state of answer-Order Details.csv, this export under another name (given before, or by an earlier spotpipe version), which only a run writing that name resumes; if none will, remove it: rm -f -- ${paths.join(" ")}`
    ])
    expect(NodeFs.readdirSync(state)).toEqual(expect.arrayContaining(left))

    // The command it gives removes that state and nothing else; the next run names nothing.
    const command = leftLines(renamed.stderr)[0]!.split("remove it: ")[1]!
    execFileSync("sh", ["-c", command])
    expect(NodeFs.readdirSync(state).filter((name) => name.startsWith("answer-Order"))).toEqual([])
    expect(NodeFs.readdirSync(state).some((name) => name.startsWith("answer-Revenue%20by%20Month"))).toBe(true)
    const again = await runCliInProcess([...answer, "--output-name", "orders", "--force"], { env })
    expect(again.code, again.stderr).toBe(0)
    expect(leftLines(again.stderr)).toEqual([])
  }, 60_000)
})

const under = (v: number, reading: string, settings: unknown) =>
  createHash("sha256")
    .update(canonicalJson({ v, export: reading, settings }), "utf8")
    .digest("hex")

const settings: OutputSettings = {
  file: "answer-Sales-1a2b3c4d.csv",
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
const now = { file: settings.file, fingerprint: fingerprintOf(reading, settings), settings, readings: [reading] }

const entry = (
  file: string,
  fingerprintOfIt: (settings: OutputSettings) => string,
  owner: { readonly job?: string } = {},
  changes: Partial<OutputSettings> = {}
): Checkpoint.StateEntry => {
  const earlier = { ...settings, ...changes, file }
  return {
    record: {
      version: 1,
      file,
      fingerprint: fingerprintOfIt(earlier),
      settings: earlier,
      state: "partial",
      source_rows: 10,
      columns: [],
      next_offset: 0,
      pages: 0,
      bytes: 0,
      sha256: "0".repeat(64),
      ...owner
    },
    paths: []
  }
}

describe("Checkpoint.superseded", () => {
  it("finds-the-same-export-under-an-earlier-versions-name-and-rules", () => {
    const earlierName = entry("answer-Sales (2).csv", (s) => under(2, reading, s))
    const sameRules = entry("answer-Sales.csv", (s) => fingerprintOf(reading, s))
    expect(Checkpoint.superseded([earlierName, sameRules], now, undefined)).toEqual([earlierName, sameRules])
  })

  it("leaves-other-exports-other-settings-other-owners-and-its-own-name", () => {
    const other = canonicalJson(["export-fp", { id: "guid-2" }])
    const entries = [
      entry("answer-Other.csv", (s) => under(2, other, s)),
      entry("answer-Sales (2).csv", (s) => under(2, reading, s), {}, { newline: "\n" }),
      entry("answer-Sales (2).csv", (s) => under(2, reading, s), { job: "/jobs/other.json" }),
      entry(settings.file, (s) => under(2, reading, s)),
      entry("answer-Sales (3).csv", (s) => under(99, reading, s))
    ]
    expect(Checkpoint.superseded(entries, now, undefined)).toEqual([])
  })
})
