/**
 * A dry run with --resume says what the --resume run would do with each file, decided as the run decides (the file
 * hashed against its manifest entry, the resume state): a complete folder's files are kept, a file changed since
 * its run is written anew, for the reason the run gives; with --force, files there are replaced.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 90_000 }
const tempDir = tempFolders("spotpipe-dry-resume-")
const served = testSandbox({ rows: 300 })

const file = "answer-Revenue by Month.csv"

interface PlanJson {
  readonly outputs: ReadonlyArray<{ readonly file: string; readonly resume: { readonly action: string } | null }>
  readonly totals: { readonly files: number; readonly kept: number }
}

const lastLine = (text: string) => text.trimEnd().split("\n").at(-1)

describe("a dry run with --resume of a folder a run completed", () => {
  for (const [command, args] of [
    ["run", (dir: string) => ["run", writeJob(dir, { exports: [{ type: "answer", id: "Revenue by Month" }] })]],
    ["answer", (_dir: string) => ["answer", "Revenue by Month"]]
  ] as const) {
    it(`${command}-says-its-files-are-kept-as-the-resume-run-keeps-them`, timeout, async () => {
      const root = tempDir()
      const out = NodePath.join(root, "je")
      const env = sandboxEnv(served.sandbox)
      const given = [...args(root), "--out", out]
      expect((await runCliInProcess([...given, "--quiet"], { env })).code).toBe(0)

      const dry = await runCliInProcess([...given, "--resume", "--dry-run"], { env })
      expect(dry.code, dry.stderr).toBe(0)
      expect(dry.stdout).toContain(`${file} (kept: complete and verified)`)
      expect(dry.stdout).not.toContain("the run needs --force or --resume")
      expect(lastLine(dry.stdout)).toBe(
        `dry run: the run is complete: --resume would keep its 1 file (complete and verified) in ${out} and export nothing anew; nothing was written`
      )
      const plan = JSON.parse(
        (await runCliInProcess([...given, "--resume", "--dry-run", "--json"], { env })).stdout
      ) as PlanJson
      expect(plan.outputs.map((o) => o.resume?.action)).toEqual(["keep"])
      expect(plan.totals).toMatchObject({ files: 0, kept: 1 })

      // The run does as said: it keeps the file.
      const real = await runCliInProcess([...given, "--resume", "--json"], { env })
      expect(real.code, real.stderr).toBe(0)
      expect((JSON.parse(real.stdout) as { outputs: Array<{ status: string }> }).outputs.map((o) => o.status)).toEqual([
        "skipped"
      ])
    })
  }

  it("says-a-file-changed-since-its-run-is-written-anew-for-the-run's-reason", timeout, async () => {
    const root = tempDir()
    const out = NodePath.join(root, "je")
    const env = sandboxEnv(served.sandbox)
    const given = ["answer", "Revenue by Month", "--out", out]
    expect((await runCliInProcess([...given, "--quiet"], { env })).code).toBe(0)
    NodeFs.appendFileSync(NodePath.join(out, file), "edited\r\n")

    const dry = await runCliInProcess([...given, "--resume", "--dry-run"], { env })
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stdout).toContain(`${file} (exists: written anew)`)
    expect(lastLine(dry.stdout)).toBe(`dry run: 1 file, 73 rows would be written in ${out}; nothing was written`)
    const reason = "the output file differs from the SHA-256 its manifest recorded"
    expect(dry.stderr).toContain(`${file}: ${reason}: a run with --resume starts it over`)

    const real = await runCliInProcess([...given, "--resume"], { env })
    expect(real.code, real.stderr).toBe(0)
    expect(real.stderr).toContain(`${file}: ${reason}: starting over`)
  })

  it("with-force-says-the-files-there-are-replaced", timeout, async () => {
    const root = tempDir()
    const out = NodePath.join(root, "je")
    const env = sandboxEnv(served.sandbox)
    const given = ["answer", "Revenue by Month", "--out", out]
    expect((await runCliInProcess([...given, "--quiet"], { env })).code).toBe(0)

    const dry = await runCliInProcess([...given, "--force", "--dry-run"], { env })
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stdout).toContain(`${file} (exists: replaced)`)
    expect(lastLine(dry.stdout)).toBe(
      `dry run: 1 file, 73 rows would be written in ${out}; 1 file exists already and would be replaced (--force); nothing was written`
    )
  })
})
