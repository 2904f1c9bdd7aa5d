/**
 * The top README's "Common flags" are exact: those it says every export command and `run` take are in each one's
 * `--help`, and those it says only the single commands take are refused by `run`, which names the job-file key the
 * README gives for each.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { runCliInProcess } from "./support/inProcess.ts"

const readme = NodeFs.readFileSync(new URL("../../../README.md", import.meta.url), "utf8")
const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-readme-flags-"))
afterAll(() => NodeFs.rmSync(root, { recursive: true, force: true }))

/** The paragraph that starts with "Common flags", as sentences. */
const sentences = (() => {
  const start = readme.indexOf("\nCommon flags")
  if (start < 0) throw new Error('no "Common flags" paragraph in the README')
  const paragraph = readme.slice(start + 1, readme.indexOf("\n\n", start)).replaceAll("\n", " ")
  return paragraph.split(/\.\s+(?=[A-Z])/)
})()

/** The flags a piece of README text names. */
const flagsIn = (text: string) => [...text.matchAll(/`(--[a-z-]+)/g)].map((m) => m[1]!)

/** The flags `spotpipe <command> --help` lists. */
const helpFlags = async (command: string) => {
  const help = await runCliInProcess([command, "--help"])
  expect(help.code, help.stderr).toBe(0)
  return new Set([...help.stdout.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]!))
}

const singleCommands = ["metadata", "answer", "liveboard", "search", "audit", "tml", "principals", "permissions"]

describe("the README's common flags", () => {
  it("are-taken-by-every-export-command-and-run", async () => {
    const common = flagsIn(sentences[0]!)
    expect(common).toContain("--out")
    for (const command of [...singleCommands, "run"]) {
      const taken = await helpFlags(command)
      expect(
        common.filter((flag) => !taken.has(flag)),
        `spotpipe ${command}`
      ).toEqual([])
    }
  })

  it("that-only-single-commands-take-are-refused-by-run-naming-the-job-file-key-the-readme-gives", async () => {
    const singleOnly = sentences.slice(1).find((s) => s.startsWith("The single commands also take"))
    expect(singleOnly).toBeDefined()
    const flags = flagsIn(singleOnly!)
    expect(flags.length).toBeGreaterThan(0)
    const taken = await helpFlags("answer")
    const job = NodePath.join(root, "job.json")
    NodeFs.writeFileSync(job, JSON.stringify({ exports: [{ type: "answer", id: "Revenue by Month" }] }))
    for (const flag of flags) {
      expect(taken.has(flag), flag).toBe(true)
      const run = await runCliInProcess(["run", job, flag, "x", "--sandbox", "--dry-run"])
      expect(run.code, flag).toBe(2)
      const key = run.stderr.match(/reads from the job file: set ("[A-Za-z]+") there/)?.[1]
      expect(key, run.stderr).toBeDefined()
      expect(singleOnly).toContain(`\`${key}\``)
    }
  })
})
