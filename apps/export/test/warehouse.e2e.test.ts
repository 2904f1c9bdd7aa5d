/**
 * End to end, through the real `spotpipe` process against a sandbox on port 0: warehouse-ready output —
 * `--column-names snake` (headers, NDJSON keys, the manifest's mapping), `--file-names slug` (files and liveboard
 * folders, job-file outputs), `--null-string` (both writing paths, recorded in the manifest) and metadata tags as
 * JSON arrays in NDJSON. Runs are in-process (runCliInProcess) but the first, a snake-named CSV export, a real
 * process so the flags run once as installed.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Schema } from "effect"
import { Manifest } from "../src/output/Manifest.ts"
import { snakeName } from "../src/plan/Names.ts"
import { runCliInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 60_000 }
const tempDir = tempFolders("spotpipe-warehouse-")
const read = (dir: string, file: string) => NodeFs.readFileSync(NodePath.join(dir, file), "utf8")
const manifestOf = (dir: string) => Schema.decodeUnknownSync(Manifest)(JSON.parse(read(dir, "manifest.json")))
const ndjson = (text: string): Array<Record<string, unknown>> =>
  text
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>)

/** RFC 4180 fields, each with whether it was quoted (a quoted `\\N` is text, an unquoted one a null). */
const csvFields = (text: string): Array<Array<{ readonly text: string; readonly quoted: boolean }>> => {
  const rows: Array<Array<{ text: string; quoted: boolean }>> = []
  let row: Array<{ text: string; quoted: boolean }> = []
  let i = 0
  while (i < text.length) {
    let field = ""
    let quoted = false
    if (text[i] === '"') {
      quoted = true
      i++
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"'
          i += 2
        } else if (text[i] === '"') {
          i++
          break
        } else field += text[i++]
      }
    } else {
      while (i < text.length && text[i] !== "," && text[i] !== "\r") field += text[i++]
    }
    row.push({ text: field, quoted })
    if (text[i] === ",") i++
    else {
      i += 2 // CRLF
      rows.push(row)
      row = []
    }
  }
  return rows
}

let sandbox: RunningSandbox
let env: Record<string, string>

beforeAll(async () => {
  // Enough rows that a page (10 000 rows, over 1 MB) is shared with a worker thread.
  sandbox = await startSandbox({ rows: 20_000, seed: fixtures.golden.seed, timezone: "UTC" })
  env = sandboxEnv(sandbox)
})

afterAll(async () => {
  await sandbox?.close()
})

describe("warehouse-ready names and nulls", () => {
  it("snake-column-names-and-slug-file-names-with-the-mapping-in-the-manifest", timeout, async () => {
    const dir = tempDir()
    const args = ["answer", "Revenue by Month", "--column-names", "snake", "--file-names", "slug", "--out", dir]
    const csvRun = await runCli(args, { env })
    expect(csvRun.code, csvRun.stderr).toBe(0)
    const ndjsonRun = await runCliInProcess([...args, "--format", "ndjson"], { env })
    expect(ndjsonRun.code, ndjsonRun.stderr).toBe(0)
    expect(NodeFs.existsSync(NodePath.join(dir, "answer_revenue_by_month.csv"))).toBe(true)
    expect(NodeFs.existsSync(NodePath.join(dir, "answer_revenue_by_month.ndjson"))).toBe(true)
    expect(read(dir, "answer_revenue_by_month.csv").split("\r\n")[0]).toBe("month_order_date,total_revenue")
    expect(Object.keys(ndjson(read(dir, "answer_revenue_by_month.ndjson"))[0]!)).toEqual([
      "month_order_date",
      "total_revenue"
    ])
    const [output] = manifestOf(dir).outputs
    expect(output!.file).toBe("answer_revenue_by_month.ndjson")
    expect(output!.columns).toEqual([
      { name: "month_order_date", source_name: "Month(Order Date)", type: "DATE" },
      { name: "total_revenue", source_name: "Total Revenue", type: "DOUBLE" }
    ])
    expect(output!.settings).toMatchObject({ columnNames: "snake" })
    // --output-name is made a slug too.
    const named = await runCliInProcess([...args, "--output-name", "Monthly Revenue (EUR)"], { env })
    expect(named.code, named.stderr).toBe(0)
    expect(NodeFs.existsSync(NodePath.join(dir, "monthly_revenue_eur.csv"))).toBe(true)
  })

  it("a-liveboard-with-slug-names-gets-a-slug-folder-and-slug-files", timeout, async () => {
    const dir = tempDir()
    const run = await runCliInProcess(
      ["liveboard", "Sales Overview", "--file-names", "slug", "--column-names", "snake", "--out", dir],
      { env }
    )
    expect(run.code, run.stderr).toBe(0)
    expect(NodeFs.readdirSync(NodePath.join(dir, "liveboard_sales_overview")).sort()).toEqual([
      "revenue_by_month.csv",
      "revenue_by_region.csv",
      "top_10_customers.csv",
      "yearly_orders.csv"
    ])
    for (const output of manifestOf(dir).outputs) {
      for (const column of output.columns) {
        expect(column.name).toMatch(/^[a-z_][a-z0-9_]*$/)
        if (column.source_name !== undefined) expect(column.name).toBe(snakeName(column.source_name))
      }
    }
  })

  it("null-string-marks-exactly-the-null-cells-on-both-writing-paths", timeout, async () => {
    const dir = tempDir()
    // With `--workers 0` every page is written on the main thread, with `--workers 1` large pages are shared with
    // a worker (which rebuilds the plan); the NDJSON file says which cells are null.
    const base = ["answer", "Order Details", "--out", dir]
    const runs = [
      await runCliInProcess([...base, "--null-string", "\\N", "--output-name", "main", "--workers", "0"], { env }),
      await runCliInProcess([...base, "--null-string", "\\N", "--output-name", "pool", "--workers", "1"], { env }),
      await runCliInProcess([...base, "--format", "ndjson", "--output-name", "truth"], { env })
    ]
    for (const run of runs) expect(run.code, run.stderr).toBe(0)
    const csv = read(dir, "main.csv")
    expect(read(dir, "pool.csv")).toBe(csv)
    const truth = ndjson(read(dir, "truth.ndjson"))
    const [header, ...rows] = csvFields(csv)
    expect(rows).toHaveLength(truth.length)
    let nulls = 0
    rows.forEach((cells, r) => {
      expect(cells).toHaveLength(header!.length)
      header!.forEach(({ text: name }, c) => {
        const isNull = truth[r]![name] === null
        if (isNull) nulls++
        // An unquoted \N is a null, and a null is always an unquoted \N.
        expect(!cells[c]!.quoted && cells[c]!.text === "\\N", `${name} of row ${r + 1}`).toBe(isNull)
      })
    })
    expect(nulls).toBeGreaterThan(0)
    const outputs = manifestOf(dir).outputs
    expect(outputs.find((o) => o.file === "truth.ndjson")?.null_string).toBeUndefined()
    const manifests = NodeFs.readdirSync(dir).filter((f) => /^manifest-.*\.json$/.test(f))
    const csvEntries = manifests
      .flatMap((f) => Schema.decodeUnknownSync(Manifest)(JSON.parse(read(dir, f))).outputs)
      .filter((o) => o.format === "csv")
    expect(csvEntries.map((o) => o.null_string)).toEqual(["\\N", "\\N"])
  })

  it("metadata-tags-are-json-arrays-in-ndjson-and-joined-text-in-csv", timeout, async () => {
    const dir = tempDir()
    const ndjsonRun = await runCliInProcess(["metadata", "--type", "ANSWER", "--format", "ndjson", "--out", dir], {
      env
    })
    expect(ndjsonRun.code, ndjsonRun.stderr).toBe(0)
    const rows = ndjson(read(dir, "metadata.ndjson"))
    const byName = new Map(rows.map((row) => [row["name"], row["tags"]]))
    expect(byName.get("Revenue by Month")).toEqual(["Finance", "Certified"])
    expect(byName.get("Weekly Shipments")).toEqual([])
    expect(manifestOf(dir).outputs[0]!.columns.find((c) => c.name === "tags")).toEqual({
      name: "tags",
      type: "VARCHAR[]"
    })
    const csvRun = await runCliInProcess(["metadata", "--type", "ANSWER", "--out", dir], { env })
    expect(csvRun.code, csvRun.stderr).toBe(0)
    expect(read(dir, "metadata.csv")).toContain("Finance;Certified")
    expect(manifestOf(dir).outputs[0]!.columns.find((c) => c.name === "tags")).toEqual({
      name: "tags",
      type: "VARCHAR"
    })
  })

  it("a-job-file-slugs-its-outputs-and-applies-default-names-and-nulls", timeout, async () => {
    const dir = tempDir()
    const job = NodePath.join(tempDir(), "job.json")
    NodeFs.writeFileSync(
      job,
      JSON.stringify({
        defaults: { fileNames: "slug", columnNames: "snake", nullString: "NULL" },
        exports: [
          { type: "answer", id: "Revenue by Month", output: "Monthly Revenue (EUR)" },
          { type: "liveboard", id: "Order Operations", visualizations: ["Daily Quantity"] }
        ]
      })
    )
    const run = await runCliInProcess(["run", job, "--out", dir], { env })
    expect(run.code, run.stderr).toBe(0)
    expect(read(dir, "monthly_revenue_eur.csv").split("\r\n")[0]).toBe("month_order_date,total_revenue")
    expect(NodeFs.existsSync(NodePath.join(dir, "liveboard_order_operations", "daily_quantity.csv"))).toBe(true)
    expect(manifestOf(dir).outputs.map((o) => [o.file, o.null_string])).toEqual([
      ["monthly_revenue_eur.csv", "NULL"],
      ["liveboard_order_operations/daily_quantity.csv", "NULL"]
    ])
  })
})
