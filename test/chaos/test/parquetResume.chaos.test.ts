/**
 * A Parquet export killed with SIGKILL mid-way and resumed with `--resume`: its pages go to a staged CSV that is
 * checkpointed like any CSV output, so the resume continues it from the checkpoint (fetching only the pages after
 * it) and must end byte-identical to an uninterrupted run, leaving no temp file or resume state behind. Both a
 * single command and a job are covered, killed after a page's checkpoint, between a page and its checkpoint, and
 * while the finished staged file becomes the Parquet file (before the output is published). The killed runs are
 * real processes (a SIGKILL is their point); each kind's uninterrupted reference (made once) and the resumes run
 * in-process.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "../../../apps/export/test/support/inProcess.ts"
import { sandboxEnv } from "../../../apps/export/test/support/Sandboxes.ts"
import { dataFiles, differences, readTree, strays } from "../src/OutputTree.ts"
import { type ProcessRun, runSpotpipe } from "../src/SpotpipeProcess.ts"

const rows = 3_000
let sandbox: RunningSandbox
let env: Record<string, string>
const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-parquet-crash-"))

beforeAll(async () => {
  sandbox = await startSandbox({ rows, seed: 17 })
  env = sandboxEnv(sandbox)
})

/** A run to be killed is a real process (with DuckDB beside it); any other runs in-process. */
const spotpipe = (args: ReadonlyArray<string>, killAtStep: string | undefined): Promise<ProcessRun> =>
  killAtStep === undefined
    ? runCliInProcess(args, { env }).then((run) => ({ ...run, signal: null }))
    : runSpotpipe(args, { env, withDuckDb: true, killAtStep })

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

const single = (out: string, extra: ReadonlyArray<string>, killAtStep?: string) =>
  spotpipe(["answer", "Order Details", "--format", "parquet", "--page-size", "250", "--out", out, ...extra], killAtStep)

const jobRun = (out: string, extra: ReadonlyArray<string>, killAtStep?: string) => {
  const job = NodePath.join(root, "job.json")
  NodeFs.writeFileSync(
    job,
    JSON.stringify({
      defaults: { format: "parquet", pageSize: 250 },
      exports: [
        { type: "answer", id: "Order Details" },
        { type: "search", table: "Orders", query: "[Order ID] [Customer] [Revenue] [Shipped At] sort by [Order ID]" }
      ]
    })
  )
  return spotpipe(["run", job, "--out", out, "--concurrency", "1", ...extra], killAtStep)
}

describe("a killed Parquet export resumed", () => {
  for (const [name, run] of [
    ["single-command", single],
    ["job", jobRun]
  ] as const) {
    // The uninterrupted run's files, the same for every kill point.
    let expected: Map<string, Buffer>
    beforeAll(async () => {
      const reference = NodePath.join(root, `${name}-reference`)
      const first = await run(reference, ["--quiet"])
      expect(first.code, first.stderr).toBe(0)
      expected = dataFiles(readTree(reference))
      expect([...expected.keys()].every((file) => file.endsWith(".parquet"))).toBe(true)
    })
    for (const point of ["checkpoint-written:4", "page-written:3", "before-publish:1"]) {
      it(`${name}-killed-at-${point.replace(":", "-")}-continues-and-ends-byte-identical`, async () => {
        const out = NodePath.join(root, `${name}-${point}`)
        const killed = await run(out, ["--quiet", "--resume"], point)
        expect(killed.signal).toBe("SIGKILL")
        const resumed = await run(out, ["--resume"])
        expect(resumed.code, resumed.stderr).toBe(0)
        expect(resumed.stderr).not.toContain("starting over")
        const tree = readTree(out)
        expect(differences(dataFiles(tree), expected)).toEqual([])
        expect(strays(tree)).toEqual([])
        const manifest = JSON.parse(tree.get("manifest.json")!.toString("utf8")) as {
          outputs: ReadonlyArray<{ rows_written: number; available_data_row_count: number | null }>
        }
        for (const output of manifest.outputs) expect(output.rows_written).toBe(output.available_data_row_count)
      })
    }
  }
})
