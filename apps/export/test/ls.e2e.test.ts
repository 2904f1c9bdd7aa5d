/**
 * `spotpipe ls`, end to end (the built CLI against a loopback sandbox): answers, liveboards and tables with their
 * GUIDs, authors and modified times as the `metadata` export reads them, a liveboard's visualizations as the
 * liveboard export would write them, `--filter`, NDJSON with `--json`, an aligned table otherwise, did-you-mean
 * for a mistyped liveboard, and server names made inert on the terminal. Runs are in-process (runCliInProcess),
 * the metadata export read from stdout (`--out -`) included, but one real process: `ls answers` as installed.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { type RenamingProxy, startRenamingProxy } from "./support/RenamingProxy.ts"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-ls-")

const timeout = { timeout: 60_000 }

let sandbox: RunningSandbox
let proxy: RenamingProxy
let env: Record<string, string>

const evilAnswer = "Revenue\u001b]52;c;cm0gLXJmIH4=\u0007 by Month"
const evilLiveboard = "Sales\u001b[2J\u001b]52;c;cm0gLXJmIH4=\u0007 Overview"

beforeAll(async () => {
  sandbox = await startSandbox({ rows: fixtures.golden.rows, seed: fixtures.golden.seed })
  proxy = await startRenamingProxy(sandbox.url, [
    ["Revenue by Month", evilAnswer],
    ["Sales Overview", evilLiveboard]
  ])
  env = sandboxEnv(sandbox)
})

afterAll(async () => {
  await proxy?.close()
  await sandbox?.close()
})

const ndjson = (text: string): ReadonlyArray<Record<string, unknown>> =>
  text === ""
    ? []
    : text
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>)

/** The `metadata` export of `type` as NDJSON records (type, id, name, subtype, author, created, modified, …). */
const metadataOf = async (type: string) => {
  const run = await runCliInProcess(
    ["metadata", "--type", type, "--format", "ndjson", "--timezone", "UTC", "--out", "-"],
    {
      env
    }
  )
  expect(run.code, run.stderr).toBe(0)
  return ndjson(run.stdout)
}

describe("spotpipe ls", () => {
  it.each([
    ["answers", "ANSWER"],
    ["liveboards", "LIVEBOARD"],
    ["tables", "LOGICAL_TABLE"]
  ])("ls-%s-json-lists-what-the-metadata-export-lists", timeout, async (kind, type) => {
    const run = await runCliInProcess(["ls", kind, "--json"], { env })
    expect(run.code, run.stderr).toBe(0)
    const listed = ndjson(run.stdout)
    const expected = (await metadataOf(type)).map((m) => ({
      type: m["type"],
      id: m["id"],
      name: m["name"],
      subtype: m["subtype"],
      author: m["author"],
      created: m["created"],
      modified: m["modified"]
    }))
    expect(listed.length).toBeGreaterThan(0)
    expect(listed).toEqual(expected)
    for (const item of listed) expect(item["modified"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  })

  it("ls-answers-prints-an-aligned-table-with-a-count", timeout, async () => {
    const run = await runCli(["ls", "answers"], { env })
    expect(run.code, run.stderr).toBe(0)
    const lines = run.stdout.trimEnd().split("\n")
    expect(lines[0]).toMatch(/^name +id +author +modified$/)
    const answers = await metadataOf("ANSWER")
    expect(lines.at(-1)).toBe(`${answers.length} answers`)
    const idColumn = lines[0]!.indexOf("id")
    const modifiedColumn = lines[0]!.indexOf("modified")
    for (const [i, answer] of answers.entries()) {
      const line = lines[i + 2]!
      expect(line.startsWith(String(answer["name"]))).toBe(true)
      expect(line.slice(idColumn).startsWith(String(answer["id"]))).toBe(true)
      expect(line.slice(modifiedColumn)).toBe(String(answer["modified"]))
    }
  })

  it("ls-filter-matches-names-ignoring-case-as-substring-or-glob", timeout, async () => {
    const names = async (args: ReadonlyArray<string>) => {
      const run = await runCliInProcess(["ls", "answers", "--json", ...args], { env })
      expect(run.code, run.stderr).toBe(0)
      return ndjson(run.stdout).map((a) => a["name"])
    }
    const all = (await names([])) as ReadonlyArray<string>
    expect(await names(["--filter", "REVENUE"])).toEqual(all.filter((n) => n.toLowerCase().includes("revenue")))
    expect(await names(["--filter", "revenue*"])).toEqual(all.filter((n) => n.toLowerCase().startsWith("revenue")))
    expect(await names(["--filter", "*month"])).toEqual(["Revenue by Month"])
    expect(await names(["--filter", "no such thing"])).toEqual([])
  })

  it("ls-visualizations-lists-the-files-a-liveboard-export-writes", timeout, async () => {
    const run = await runCliInProcess(["ls", "visualizations", "Sales Overview", "--json"], { env })
    expect(run.code, run.stderr).toBe(0)
    const vizzes = ndjson(run.stdout)
    // The liveboard export's plan: the same visualizations, in the same order, with the same columns.
    const out = tempDir()
    const dry = await runCliInProcess(["liveboard", "Sales Overview", "--dry-run", "--json", "--out", out], { env })
    expect(dry.code, dry.stderr).toBe(0)
    const outputs = JSON.parse(dry.stdout).outputs as ReadonlyArray<{
      source: { id: string; name: string; viz: { id: string; name: string } }
      columns: ReadonlyArray<unknown>
    }>
    expect(vizzes).toEqual(
      outputs.map((o) => ({
        liveboard: { id: o.source.id, name: o.source.name },
        id: o.source.viz.id,
        name: o.source.viz.name,
        columns: expect.any(Array)
      }))
    )
    expect(vizzes.map((v) => (v["columns"] as ReadonlyArray<unknown>).length)).toEqual(
      outputs.map((o) => o.columns.length)
    )
    const text = await runCliInProcess(["ls", "visualizations", "Sales Overview", "--filter", "region"], { env })
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/^name +id +columns\n/)
    expect(text.stdout).toMatch(/\nRevenue by Region +[0-9a-f-]{36} +2\n/)
    expect(text.stdout).toContain('1 visualization matching "region" of liveboard "Sales Overview"')
  })

  it("ls-visualizations-of-a-mistyped-liveboard-names-the-closest", timeout, async () => {
    const run = await runCliInProcess(["ls", "visualizations", "Sales Overveiw"], { env })
    expect(run.code).toBe(1)
    expect(run.stdout).toBe("")
    expect(run.stderr).toContain('did you mean "Sales Overview"')
  })

  it("ls-shows-server-names-inert-and-json-keeps-them-exact", timeout, async () => {
    const proxied = sandboxEnv(proxy)
    const text = await runCliInProcess(["ls", "answers", "--filter", "*month"], { env: proxied })
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toContain("Revenue\\u001b]52;c;cm0gLXJmIH4=\\u0007 by Month")
    expect(text.stdout).not.toContain("\u001b")
    const json = await runCliInProcess(["ls", "answers", "--filter", "*month", "--json"], { env: proxied })
    expect(json.stdout).not.toContain("\u001b")
    expect(ndjson(json.stdout).map((a) => a["name"])).toEqual([evilAnswer])
  })

  it("ls-visualizations-shows-the-liveboard-name-inert-in-its-last-line", timeout, async () => {
    const run = await runCliInProcess(["ls", "visualizations", evilLiveboard], { env: sandboxEnv(proxy) })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).not.toContain("\u001b")
    expect(run.stdout).toContain(
      '4 visualizations of liveboard "Sales\\u001b[2J\\u001b]52;c;cm0gLXJmIH4=\\u0007 Overview"'
    )
  })

  it("ls-without-a-listing-is-a-usage-error-naming-the-choices", timeout, async () => {
    const run = await runCliInProcess(["ls", "answr"], { env })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('did you mean "answers"')
  })
})
