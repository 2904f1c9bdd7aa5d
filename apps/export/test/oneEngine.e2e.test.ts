/**
 * A single command and the same export written as a job file go through one engine: against one sandbox, each
 * pair writes byte-identical data files under the same names, and manifests whose output entries agree in every
 * field but the times (and the command and job, which say how the run was asked for). Every run is in-process
 * (runCliInProcess): what is compared is the files and manifests, not the process.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { filesIn, sandboxEnv } from "./support/Sandboxes.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-one-engine-"))
let sandbox: RunningSandbox
let env: Record<string, string>

beforeAll(async () => {
  // Its dates are computed in Kolkata, the zone the liveboard case's --timezone (and job timezone) names.
  sandbox = await startSandbox({ rows: 2_500, seed: 11, timezone: "Asia/Kolkata" })
  env = sandboxEnv(sandbox)
})

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

/** Every file under `dir` but the manifests: relative path → bytes. */
const dataFiles = (dir: string): Map<string, Buffer> =>
  new Map([...filesIn(dir)].filter(([name]) => !NodePath.basename(name).startsWith("manifest")))

interface Output {
  readonly file: string
  readonly started_at: string
  readonly finished_at: string
  readonly seconds: number
  readonly [field: string]: unknown
}

/** A manifest's outputs without their timings. */
const outputsOf = (dir: string) => {
  const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8")) as {
    readonly command: string
    readonly outputs: ReadonlyArray<Output>
  }
  return manifest.outputs.map(({ started_at: _s, finished_at: _f, seconds: _t, ...rest }) => rest)
}

const cases: ReadonlyArray<{
  readonly name: string
  readonly command: ReadonlyArray<string>
  readonly job: Record<string, unknown>
}> = [
  {
    name: "answer",
    command: ["answer", "Order Details", "--page-size", "700"],
    job: { type: "answer", id: "Order Details", output: "answer-Order Details", pageSize: 700 }
  },
  {
    name: "liveboard",
    command: ["liveboard", "Sales Overview", "--format", "ndjson", "--timezone", "Asia/Kolkata"],
    job: {
      type: "liveboard",
      id: "Sales Overview",
      output: "liveboard-Sales Overview",
      format: "ndjson",
      timezone: "Asia/Kolkata"
    }
  },
  {
    name: "search",
    command: ["search", "--table", "Orders", "--query", "[Region] [Revenue] [Order Date].monthly", "--page-size", "9"],
    job: {
      type: "search",
      table: "Orders",
      query: "[Region] [Revenue] [Order Date].monthly",
      output: "search-Orders",
      pageSize: 9
    }
  },
  {
    name: "metadata",
    command: ["metadata", "--type", "ANSWER,LIVEBOARD"],
    job: { type: "metadata", metadataTypes: ["ANSWER", "LIVEBOARD"], output: "metadata" }
  }
]

describe("a single command and the same export in a job file", () => {
  for (const { name, command, job } of cases) {
    it(`${name}: write byte-identical files and the same manifest entries`, async () => {
      const single = NodePath.join(root, `${name}-single`)
      const batch = NodePath.join(root, `${name}-job`)
      const jobFile = NodePath.join(root, `${name}.json`)
      NodeFs.writeFileSync(jobFile, JSON.stringify({ exports: [job] }))
      const a = await runCliInProcess([...command, "--out", single, "--quiet"], { env })
      expect(a.code, a.stderr).toBe(0)
      const b = await runCliInProcess(["run", jobFile, "--out", batch, "--quiet", "--concurrency", "1"], { env })
      expect(b.code, b.stderr).toBe(0)

      const fromCommand = dataFiles(single)
      const fromJob = dataFiles(batch)
      expect(fromCommand.size).toBeGreaterThan(0)
      expect([...fromJob.keys()].sort()).toEqual([...fromCommand.keys()].sort())
      for (const [file, bytes] of fromCommand) expect(fromJob.get(file)?.equals(bytes), file).toBe(true)
      expect(outputsOf(batch)).toEqual(outputsOf(single))
    }, 60_000)
  }
})
