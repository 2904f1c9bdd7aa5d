/**
 * A data output's file name stays with its object from run to run, whatever the order ThoughtSpot lists objects in:
 * two visualizations of one liveboard sharing a title, reordered on the cluster between two runs, keep their files
 * (name and bytes) and, loaded into one DuckDB file with `--mode replace` one run after the other, their tables.
 * The sandbox's visualizations have distinct titles and a fixed order, so a rewriting proxy in front of it shows
 * "Revenue by Region" of "Sales Overview" titled "Revenue by Month" too, and the liveboard's visualizations reversed.
 */
import * as NodePath from "node:path"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { tableNames } from "../src/load/Warehouse.ts"
import { nameHash } from "../src/plan/Names.ts"
import { cli, manifestOf, withDuckDb } from "./load/support/loadHelpers.ts"
import { type RenamingProxy, startRewritingProxy } from "./support/RenamingProxy.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const folder = tempFolders("spotpipe-namesake-files-")
const liveboard = fixtures.liveboards["Sales Overview"]
const monthly = liveboard.visualizations.find((v) => v.name === "Revenue by Month")!
const region = liveboard.visualizations.find((v) => v.name === "Revenue by Region")!

type Json = Record<string, unknown>
let sandbox: RunningSandbox
let proxy: RenamingProxy
/** Whether the proxy shows the liveboard's visualizations in reverse order. */
let reversed = false

/** A metadata/search answer with the liveboard's "Revenue by Region" titled as "Revenue by Month" (and reversed). */
const shown = (text: string): string => {
  const items = JSON.parse(text) as Array<Json>
  for (const item of items) {
    if (item["metadata_id"] !== liveboard.id) continue
    // The pinned visualizations in `metadata_detail` (ThoughtSpot's documented layout) and the headers list.
    const detail = item["metadata_detail"] as Json | null
    const sheets = ((detail?.["reportContent"] as Json | undefined)?.["sheets"] ?? []) as Array<Json>
    const pinned = sheets.map((sheet) => (sheet["sheetContent"] as Json)["visualizations"])
    for (const [list, headerOf] of [
      ...pinned.map((list) => [list, (viz: Json) => viz["header"] as Json] as const),
      [item["visualization_headers"], (viz: Json) => viz] as const
    ]) {
      if (!Array.isArray(list)) continue
      for (const viz of list as Array<Json>) {
        const header = headerOf(viz)
        if (header["id"] === region.id) header["name"] = monthly.name
      }
      if (reversed) list.reverse()
    }
  }
  return JSON.stringify(items)
}

beforeAll(async () => {
  sandbox = await startSandbox({ rows: fixtures.golden.rows, seed: fixtures.golden.seed, timezone: "UTC" })
  proxy = await startRewritingProxy(sandbox.url, {
    response: (text, request) => (request.url.endsWith("/metadata/search") && text !== "" ? shown(text) : text)
  })
}, 60_000)

afterAll(async () => {
  await proxy?.close()
  await sandbox?.close()
})

/** The liveboard exported through the proxy (visualizations in listing order, or reversed), `args` added. */
const exported = async (order: "listed" | "reversed", args: ReadonlyArray<string> = []) => {
  reversed = order === "reversed"
  const dir = folder()
  const run = await cli(["liveboard", liveboard.name, ...args, "--out", dir, "--quiet"], sandboxEnv(proxy))
  reversed = false
  expect(run.code, run.stderr).toBe(0)
  return dir
}

/** Each visualization's file and its SHA-256, by the visualization's GUID. */
const filesOf = (dir: string) => {
  const outputs = manifestOf(dir).outputs as unknown as ReadonlyArray<{
    file: string
    sha256: string
    source: { viz: { id: string; name: string } }
  }>
  return new Map(outputs.map((o) => [o.source.viz.id, { file: o.file, sha256: o.sha256 }]))
}

describe("two visualizations of one title", () => {
  it("keep their files and tables when the cluster reorders them between runs", async () => {
    const first = await exported("listed")
    const second = await exported("reversed")
    const before = filesOf(first)
    const after = filesOf(second)
    expect([...after.keys()]).toEqual([...before.keys()].reverse())
    // Names and bytes stay with the visualization; the two results differ (else nothing would be shown).
    expect(before.get(monthly.id)?.sha256).not.toBe(before.get(region.id)?.sha256)
    expect(after).toEqual(before)
    // Loaded one run after the other, each table keeps its visualization's rows.
    const database = NodePath.join(folder(), "w.duckdb")
    const files = [monthly.id, region.id].map((id) => before.get(id)!.file)
    const tables = tableNames(files)
    const contents = () =>
      withDuckDb(database, (q) =>
        Promise.all(tables.map((t) => q(`SELECT * FROM "${t}" ORDER BY ALL`).then((rows) => JSON.stringify(rows))))
      )
    const load = async (dir: string) => {
      const loaded = await cli(["load", dir, "--into", `duckdb:${database}`, "--mode", "replace", "--quiet"])
      expect(loaded.code, loaded.stderr).toBe(0)
    }
    await load(first)
    const loadedFirst = await contents()
    await load(second)
    expect(await contents()).toEqual(loadedFirst)
    // The region table holds regions (the monthly one has no such column).
    await withDuckDb(database, async (q) => {
      const columns = await q(
        `SELECT column_name FROM information_schema.columns WHERE table_name = '${tables[1]}' ORDER BY ordinal_position`
      )
      expect(columns.map((c) => c[0])).toEqual(["Region", "Total Revenue"])
    })
    // Each with a hash of its GUID; neither takes the plain name, which the other could get in another run.
    const folderName = `liveboard-${liveboard.name}`
    expect(before.get(monthly.id)?.file).toBe(`${folderName}/Revenue by Month [${nameHash(monthly.id)}].csv`)
    expect(before.get(region.id)?.file).toBe(`${folderName}/Revenue by Month [${nameHash(region.id)}].csv`)
  }, 120_000)

  it("keep their file names when only one of them is chosen", async () => {
    const all = filesOf(await exported("listed"))
    const chosen = filesOf(await exported("reversed", ["--viz", region.id]))
    expect([...chosen.keys()]).toEqual([region.id])
    expect(chosen.get(region.id)).toEqual(all.get(region.id))
  }, 120_000)
})
