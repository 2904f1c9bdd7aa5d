/**
 * The `--runtime-filter` examples of `answer --help`, run as a newcomer copies them (the built CLI with `--sandbox`,
 * only the output folder changed): among them one on a date, given as `YYYY-MM-DD` — the form a date filter takes,
 * which the export converts to the epoch seconds of that day's midnight in the data time zone (the sandbox's,
 * America/Los_Angeles) — and it keeps only the rows from that day on. The example itself runs as a real process,
 * as typed; reading the help and the unfiltered comparison run in-process.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-help-examples-"))
afterAll(() => NodeFs.rmSync(root, { recursive: true, force: true }))

/** The example commands of `spotpipe <command> --help`, each as words (double-quoted words kept whole). */
const examplesOf = async (command: string): Promise<Array<Array<string>>> => {
  const help = await runCliInProcess([command, "--help"])
  expect(help.code, help.stderr).toBe(0)
  const examples = help.stdout.slice(help.stdout.lastIndexOf("EXAMPLES"))
  return examples
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith(`spotpipe ${command} `))
    .map((line) => [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(1))
}

const ndjson = (file: string): Array<Record<string, unknown>> =>
  NodeFs.readFileSync(file, "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>)

describe("answer --help", () => {
  it("has a runtime filter example on a date, which keeps the rows from that day on", async () => {
    const filtered = (await examplesOf("answer")).filter((words) => words.includes("--runtime-filter"))
    const dated = filtered.filter((words) => words.some((word) => /^[\w ]+ GE \d{4}-\d{2}-\d{2}$/.test(word)))
    expect(dated, JSON.stringify(filtered)).toHaveLength(1)
    const words = dated[0]!
    const filter = words[words.indexOf("--runtime-filter") + 1]!
    const [, column, day] = /^(.+) GE (\d{4}-\d{2}-\d{2})$/.exec(filter)!
    expect(words).toContain("--sandbox")

    const dir = NodePath.join(root, "dated")
    const args = words.map((word) => (word === "./landing" ? dir : word))
    expect(args).toContain(dir)
    const run = await runCli([...args, "--format", "ndjson", "--quiet"])
    expect(run.code, run.stderr).toBe(0)
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8")) as {
      outputs: Array<{ file: string; source: Record<string, unknown> }>
    }
    const [output] = manifest.outputs
    // Sent as the epoch seconds of the day's midnight in the sandbox's zone (PDT in June: UTC-7).
    expect(output!.source["runtime_filter_given"]).toEqual({ val1: day })
    expect(output!.source["runtime_filter"]).toEqual({
      col1: column,
      op1: "GE",
      val1: String(Date.parse(`${day}T00:00:00-07:00`) / 1000)
    })
    const rows = ndjson(NodePath.join(dir, output!.file))
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.every((row) => (row[column!] as string) >= day!)).toBe(true)

    // The filter is what kept them: the same answer unfiltered has rows from before that day.
    const whole = NodePath.join(root, "whole")
    const all = await runCliInProcess([
      ...words.slice(0, 2),
      "--sandbox",
      "--out",
      whole,
      "--format",
      "ndjson",
      "--quiet"
    ])
    expect(all.code, all.stderr).toBe(0)
    expect(ndjson(NodePath.join(whole, output!.file)).some((row) => (row[column!] as string) < day!)).toBe(true)
  }, 120_000)
})
