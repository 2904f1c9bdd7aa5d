/**
 * The summary of a single export run with --resume says what --resume did with each file: a file it kept (complete
 * and verified) is marked, and when every file was kept, a line says that nothing was exported anew and how to
 * export anew, as `run` says of a complete run; a file written says nothing more. Checked on the formatted summary
 * and on a real command's.
 */
import { describe, expect, it } from "@effect/vitest"
import { formatSummary, type SummaryLine } from "../src/cli/Summary.ts"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-summary-resume-")

const line = (file: string, resume?: SummaryLine["resume"]): SummaryLine => ({
  object: "answer Revenue by Month",
  rows: 73,
  file,
  bytes: 1_696,
  seconds: 0.14,
  ...(resume === undefined ? {} : { resume })
})

describe("the summary of a --resume run", () => {
  it("says-a-file-kept-was-complete-and-verified-and-nothing-was-exported-anew", () => {
    const text = formatSummary([line("answer-Revenue by Month.csv", "skipped")], { folder: "/data/je" })
    const lines = text.trimEnd().split("\n")
    expect(lines[2]).toContain("answer-Revenue by Month.csv (kept: complete and verified)")
    expect(lines.at(-2)).toBe("1 file, 73 rows in /data/je")
    expect(lines.at(-1)).toBe(
      "the file was already complete: --resume found it written and verified and kept it, so nothing was exported anew; to export anew, run with --force instead of --resume"
    )
  })

  it("a-run-that-wrote-nothing-is-its-footer-alone-not-an-empty-table", () => {
    expect(formatSummary([], { folder: "/data/tml" })).toBe("0 documents in /data/tml\n")
  })

  it("counts-the-files-kept-among-others-written", () => {
    const text = formatSummary([line("a.csv", "skipped"), line("b.csv", "continued"), line("c.csv")])
    expect(text).toContain("a.csv (kept: complete and verified)")
    expect(text).toContain("b.csv (continued)")
    expect(text.trimEnd().split("\n").at(-1)).toBe("1 file was already complete and verified, and kept (--resume)")
  })

  it("of-a-file-written-says-nothing-of-resume", () => {
    const text = formatSummary([line("answer-Revenue by Month.csv", "written")], { folder: "/data/je" })
    expect(text).not.toContain("kept")
    expect(text.trimEnd().split("\n").at(-1)).toBe("1 file, 73 rows in /data/je")
  })
})

describe("a single export run again with --resume", () => {
  const served = testSandbox({ rows: 200 })
  it("prints-the-file-kept-and-that-nothing-was-exported-anew", async () => {
    const out = tempDir()
    const args = ["answer", "Revenue by Month", "--out", out]
    const env = sandboxEnv(served.sandbox)
    const first = await runCliInProcess(args, { env })
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).not.toContain("kept")
    const again = await runCliInProcess([...args, "--resume"], { env })
    expect(again.code, again.stderr).toBe(0)
    const lines = again.stdout.trimEnd().split("\n")
    expect(lines.some((l) => l.includes("answer-Revenue by Month.csv (kept: complete and verified)"))).toBe(true)
    expect(lines.at(-1)).toBe(
      "the file was already complete: --resume found it written and verified and kept it, so nothing was exported anew; to export anew, run with --force instead of --resume"
    )
  })
})
