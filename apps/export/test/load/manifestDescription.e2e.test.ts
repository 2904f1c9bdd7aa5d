/**
 * A run manifest whose description of a file (columns, types, null string, format, settings) was edited after the
 * run wrote it is refused by `spotpipe load` before anything is loaded: the file's SHA-256 does not cover that
 * description, and DuckDB reads a CSV or NDJSON file by the types it is given (`446832.1` as INT64 loads 446832).
 * Runs spotpipe wrote itself load as they are — untouched, merged from shards, resumed — and so does a manifest of
 * an earlier version, which has no description digest. A merge refuses a part whose entry was edited. A folder
 * whose `manifest.json` is gone says which run manifest is there and how to load it, and one whose latest run wrote
 * TML documents only names the runs there that wrote tables. Runs are in-process.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCliInProcess } from "../support/inProcess.ts"
import { sandboxEnv, testSandbox } from "../support/Sandboxes.ts"
import { copyFolder, runShards } from "../support/shardRuns.ts"
import { withDuckDb } from "./support/loadHelpers.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-manifest-description-"))
const sandbox = testSandbox({ rows: 300, seed: 3 })
let env: Record<string, string>

const runs = { csv: NodePath.join(root, "rbm-csv"), ndjson: NodePath.join(root, "rbm-ndjson") }

interface Entry {
  file: string
  columns: Array<{ name: string; type: string | null }>
  description_sha256?: string
}
interface RunFile {
  run_id: string
  outputs: Array<Entry>
}

const readJson = (path: string): RunFile => JSON.parse(NodeFs.readFileSync(path, "utf8")) as RunFile
const writeJson = (path: string, manifest: RunFile) =>
  NodeFs.writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`)

/** The run's own manifest file beside `manifest.json`. */
const ownManifest = (dir: string) =>
  NodePath.join(dir, `manifest-${readJson(NodePath.join(dir, "manifest.json")).run_id}.json`)

/** Sets `total_revenue`'s type to INT64 in the manifest file `path`, as the audit did. */
const asInteger = (path: string) => {
  const manifest = readJson(path)
  const column = manifest.outputs[0]!.columns.find((c) => c.name === "total_revenue")!
  expect(column.type).not.toBe("INT64")
  column.type = "INT64"
  writeJson(path, manifest)
}

const load = (given: string, database: string) =>
  runCliInProcess(["load", given, "--into", `duckdb:${database}`], { env })

const revenues = (database: string) =>
  withDuckDb(database, (q) => q(`SELECT total_revenue::VARCHAR FROM answer_revenue_by_month ORDER BY 1`))

beforeAll(async () => {
  env = sandboxEnv(sandbox.sandbox)
  for (const format of ["csv", "ndjson"] as const) {
    const ran = await runCliInProcess(
      ["answer", "Revenue by Month", "--format", format, "--column-names", "snake", "--out", runs[format], "--quiet"],
      { env }
    )
    expect(ran.code, ran.stderr).toBe(0)
  }
}, 60_000)

afterAll(() => NodeFs.rmSync(root, { recursive: true, force: true }))

describe.each(["csv", "ndjson"] as const)("a %s run whose manifest was edited", (format) => {
  it("is refused for DuckDB with nothing loaded, naming the file and saying to export again", async () => {
    const file = NodeFs.readFileSync(NodePath.join(runs[format], `answer-Revenue by Month.${format}`), "utf8")
    // The audit's case: revenues with cents, which an INT64 column would round away.
    expect(file).toMatch(/\d\.\d/)
    const dir = copyFolder(runs[format], NodePath.join(root, `edited-both-${format}`))
    asInteger(NodePath.join(dir, "manifest.json"))
    asInteger(ownManifest(dir))
    const database = NodePath.join(root, `edited-both-${format}.duckdb`)
    const refused = await load(dir, database)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(
      `the manifest's description of answer-Revenue by Month.${format} (its columns, types, null string, format or settings) was changed after the run wrote it`
    )
    expect(refused.stderr).toContain("nothing was loaded: export the run again to load it")
    expect(NodeFs.existsSync(database)).toBe(false)
  })

  it("loads once exported again into its folder, also with --resume (the edited entry vouches for nothing)", async () => {
    const dir = copyFolder(runs[format], NodePath.join(root, `edited-resumed-${format}`))
    asInteger(NodePath.join(dir, "manifest.json"))
    asInteger(ownManifest(dir))
    const ran = await runCliInProcess(
      ["answer", "Revenue by Month", "--format", format, "--column-names", "snake", "--out", dir, "--resume"],
      { env }
    )
    expect(ran.code, ran.stderr).toBe(0)
    expect(ran.stderr).toContain("its manifest entry was edited since its run wrote it")
    const database = NodePath.join(root, `edited-resumed-${format}.duckdb`)
    const loaded = await load(dir, database)
    expect(loaded.code, loaded.stderr).toBe(0)
    expect((await revenues(database)).flat().some((v) => String(v).includes("."))).toBe(true)
  })

  it("only in its manifest.json copy is refused pointing to the run's own manifest, which loads exactly", async () => {
    const dir = copyFolder(runs[format], NodePath.join(root, `edited-copy-${format}`))
    asInteger(NodePath.join(dir, "manifest.json"))
    const database = NodePath.join(root, `edited-copy-${format}.duckdb`)
    const refused = await load(dir, database)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(`give the run's own manifest, which is intact (spotpipe load ${ownManifest(dir)}`)
    expect(NodeFs.existsSync(database)).toBe(false)
    const loaded = await load(ownManifest(dir), database)
    expect(loaded.code, loaded.stderr).toBe(0)
    expect((await revenues(database)).flat().some((v) => String(v).includes("."))).toBe(true)
  })
})

describe("runs spotpipe wrote load as they are", () => {
  it("an untouched run, each entry carrying its description digest", async () => {
    const manifest = readJson(NodePath.join(runs.csv, "manifest.json"))
    expect(manifest.outputs[0]!.description_sha256).toMatch(/^[0-9a-f]{64}$/)
    const loaded = await load(runs.csv, NodePath.join(root, "untouched.duckdb"))
    expect(loaded.code, loaded.stderr).toBe(0)
  })

  it("a resumed run, whose entries of outputs found done are carried from the earlier run", async () => {
    const dir = copyFolder(runs.csv, NodePath.join(root, "resumed"))
    const earlier = readJson(NodePath.join(dir, "manifest.json"))
    const ran = await runCliInProcess(
      ["answer", "Revenue by Month", "--format", "csv", "--column-names", "snake", "--out", dir, "--resume", "--quiet"],
      { env }
    )
    expect(ran.code, ran.stderr).toBe(0)
    const resumed = readJson(NodePath.join(dir, "manifest.json"))
    expect(resumed.run_id).not.toBe(earlier.run_id)
    expect(resumed.outputs[0]!.description_sha256).toBe(earlier.outputs[0]!.description_sha256)
    const loaded = await load(dir, NodePath.join(root, "resumed.duckdb"))
    expect(loaded.code, loaded.stderr).toBe(0)
  })

  it("a merged run of a split job's shards", async () => {
    const job = NodePath.join(root, "split.json")
    NodeFs.writeFileSync(
      job,
      JSON.stringify({
        defaults: { pageSize: 70 },
        exports: [
          { type: "answer", id: "Order Details", split: 2 },
          { type: "answer", id: "Revenue by Month" }
        ]
      })
    )
    const dir = NodePath.join(root, "shards")
    await runShards({ job, count: 2, out: () => dir, env })
    const merged = await runCliInProcess(["merge", dir, "--quiet"], { env })
    expect(merged.code, merged.stderr).toBe(0)
    const manifest = readJson(NodePath.join(dir, "manifest.json"))
    expect(manifest.outputs.map((o) => o.file).sort()).toEqual([
      "answer-Order Details.csv",
      "answer-Revenue by Month.csv"
    ])
    const database = NodePath.join(root, "merged.duckdb")
    const loaded = await load(dir, database)
    expect(loaded.code, loaded.stderr).toBe(0)
    expect(await withDuckDb(database, (q) => q("SELECT count(*)::INTEGER FROM spotpipe_loads"))).toEqual([[2]])
  }, 60_000)

  it("a manifest of an earlier version, without description digests", async () => {
    const dir = copyFolder(runs.ndjson, NodePath.join(root, "earlier-version"))
    for (const path of [NodePath.join(dir, "manifest.json"), ownManifest(dir)]) {
      const manifest = readJson(path)
      for (const output of manifest.outputs) delete output.description_sha256
      writeJson(path, manifest)
    }
    const loaded = await load(dir, NodePath.join(root, "earlier-version.duckdb"))
    expect(loaded.code, loaded.stderr).toBe(0)
  })
})

describe("spotpipe merge", () => {
  it("a split job's part whose shard manifest was edited is refused by merge, writing nothing", async () => {
    const job = NodePath.join(root, "split-edited.json")
    NodeFs.writeFileSync(
      job,
      JSON.stringify({ defaults: { pageSize: 70 }, exports: [{ type: "answer", id: "Order Details", split: 2 }] })
    )
    const dir = NodePath.join(root, "shards-edited")
    await runShards({ job, count: 2, out: () => dir, env })
    const copy = NodePath.join(dir, "manifest.shard-2-of-2.json")
    const own = NodePath.join(dir, `manifest-${readJson(copy).run_id}.json`)
    for (const path of [copy, own]) {
      const manifest = readJson(path)
      const column = manifest.outputs[0]!.columns[0]!
      column.type = column.type === "VARCHAR" ? "INT64" : "VARCHAR"
      writeJson(path, manifest)
    }
    const refused = await runCliInProcess(["merge", dir], { env })
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain(
      `${own}: the manifest's description of answer-Order Details.part-0002-of-0002.csv (its columns, types, null string, format or settings) was changed after the run wrote it`
    )
    expect(refused.stderr).toContain("nothing was written")
    expect(NodeFs.existsSync(NodePath.join(dir, "answer-Order Details.csv"))).toBe(false)
    expect(NodeFs.existsSync(NodePath.join(dir, "manifest.json"))).toBe(false)
    // The shard run again as the refusal says, with --resume: the edited entry vouches for nothing, so the part is
    // written again with its own entry, and the merge goes through.
    const rerun = ["run", job, "--shard", "2/2", "--out", dir, "--resume"]
    expect(refused.stderr).toContain(`spotpipe ${rerun.join(" ")}`)
    const ran = await runCliInProcess([...rerun, "--quiet"], { env })
    expect(ran.code, ran.stderr).toBe(0)
    const merged = await runCliInProcess(["merge", dir], { env })
    expect(merged.code, merged.stderr).toBe(0)
    const loaded = await load(dir, NodePath.join(root, "shards-edited.duckdb"))
    expect(loaded.code, loaded.stderr).toBe(0)
  }, 60_000)
})

describe("a run folder whose manifest.json is gone", () => {
  it("names the run's own manifest, and loading that file as the message says works", async () => {
    const dir = copyFolder(runs.csv, NodePath.join(root, "no-copy"))
    const own = ownManifest(dir)
    NodeFs.rmSync(NodePath.join(dir, "manifest.json"))
    const database = NodePath.join(root, "no-copy.duckdb")
    const refused = await load(dir, database)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(
      `holds no manifest.json (the copy of its latest run's manifest) but a run's own manifest ${NodePath.basename(own)}: load that run by giving the file, spotpipe load ${own} --into …`
    )
    const loaded = await load(own, database)
    expect(loaded.code, loaded.stderr).toBe(0)
  })
})

describe("a run folder whose latest run wrote TML documents only", () => {
  it("names the earlier runs that wrote tables, whose manifests load them as the message says", async () => {
    const dir = NodePath.join(root, "admin")
    for (const command of [["principals"], ["permissions", "--type", "LIVEBOARD"], ["tml", "--type", "ROLE"]]) {
      const ran = await runCliInProcess([...command, "--out", dir, "--quiet"], { env })
      expect(ran.code, ran.stderr).toBe(0)
    }
    const refused = await load(dir, NodePath.join(root, "admin.duckdb"))
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(
      "lists TML documents only, which are files, not tables: its run has nothing to load; 2 other runs in"
    )
    const named = [...refused.stderr.matchAll(/spotpipe load (\S+) --into …/g)].map((m) => m[1]!)
    expect(named.map((m) => NodePath.basename(m))).toEqual(
      NodeFs.readdirSync(dir)
        .filter((name) => /^manifest-.*\.json$/.test(name))
        .sort()
        .slice(0, 2)
    )
    for (const [i, manifest] of named.entries()) {
      for (const output of readJson(manifest).outputs) expect(output.description_sha256).toMatch(/^[0-9a-f]{64}$/)
      const loaded = await load(manifest, NodePath.join(root, `admin-${i}.duckdb`))
      expect(loaded.code, loaded.stderr).toBe(0)
    }
  })
})
