/**
 * `spotpipe load` processes that meet at one DuckDB database file (overlapping nightly jobs, two shards of a job
 * loading into one file), and an analyst's session that has the file open: each load that finds the file open
 * says whom it waits for and loads once it is free, so every load ends 0 and the tables are what one load alone
 * gives — a file appended once (the others skip it), a replace's rows once — with a record per load that agrees.
 */
import { spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { readRunManifest } from "../../src/load/RunManifest.ts"
import { cliEnv, mainWithDuckDbPath, runNode } from "../support/runCli.ts"
import { sandboxEnv } from "../support/Sandboxes.ts"
import { cli, csvRows, rowSet, tableRows, withDuckDb } from "./support/loadHelpers.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-duckdb-together-"))
const run = NodePath.join(root, "run")
let sandbox: RunningSandbox | undefined

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 500, seed: 13 })
  const exported = await cli(["answer", "Revenue by Month", "--out", run, "--quiet"], sandboxEnv(sandbox))
  expect(exported.stderr).toBe("")
}, 120_000)

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

const output = () => readRunManifest(run).outputs[0]!
const database = (label: string) => NodePath.join(root, `${label}.duckdb`)
type Query = (sql: string) => Promise<Array<Array<unknown>>>

/** The table's rows are the file's, once. */
const holdsTheFileOnce = async (q: Query) => {
  const columns = output().columns
  const types = columns.map((c) => c.type)
  expect(rowSet(await tableRows(q, "duckdb", output().table, columns), types)).toEqual(
    rowSet(csvRows(output().path), types)
  )
}

/** `spotpipe load …` processes started together (the test run's build, with DuckDB beside it). */
const loadsAtOnce = (count: number, args: ReadonlyArray<string>) =>
  Promise.all(Array.from({ length: count }, () => runNode([mainWithDuckDbPath, ...args], { timeoutMillis: 120_000 })))

describe("spotpipe load processes into one DuckDB file at once", () => {
  it("append: every load ends 0, the file is appended once and the others say they skipped it", async () => {
    const path = database("append")
    const ended = await loadsAtOnce(3, ["load", run, "--into", `duckdb:${path}`, "--mode", "append"])
    for (const e of ended) expect(e.code, e.stderr).toBe(0)
    expect(ended.filter((e) => e.stderr.includes(`already appended to ${output().table}`))).toHaveLength(2)
    await withDuckDb(path, async (q) => {
      await holdsTheFileOnce(q)
      expect(await q("SELECT mode, rows FROM spotpipe_loads")).toEqual([["append", BigInt(output().rows)]])
    })
  }, 120_000)

  it("replace: every load ends 0, the table holds the rows once, and each load is recorded", async () => {
    const path = database("replace")
    const ended = await loadsAtOnce(3, ["load", run, "--into", `duckdb:${path}`])
    for (const e of ended) expect(e.code, e.stderr).toBe(0)
    await withDuckDb(path, async (q) => {
      await holdsTheFileOnce(q)
      expect(await q("SELECT mode, rows FROM spotpipe_loads")).toEqual(
        Array.from({ length: 3 }, () => ["replace", BigInt(output().rows)])
      )
    })
  }, 120_000)
})

describe("spotpipe load --mode merge processes into one DuckDB file at once", () => {
  it("every load ends 0, the table holds each row once, and each merge is recorded", async () => {
    const path = database("merge")
    const key = output().columns[0]!.name
    const ended = await loadsAtOnce(3, ["load", run, "--into", `duckdb:${path}`, "--mode", "merge", "--key", key])
    for (const e of ended) expect(e.code, e.stderr).toBe(0)
    await withDuckDb(path, async (q) => {
      await holdsTheFileOnce(q)
      expect(await q("SELECT mode, rows FROM spotpipe_loads")).toEqual(
        Array.from({ length: 3 }, () => ["merge", BigInt(output().rows)])
      )
    })
  }, 120_000)
})

describe("an analyst's session that has the DuckDB file open", () => {
  /** Another process with the database open (`readOnly`: as `duckdb -readonly` opens it), until `close`. */
  const analyst = async (path: string, readOnly: boolean) => {
    const options = readOnly ? `, { access_mode: "READ_ONLY" }` : ""
    const holder = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { DuckDBInstance } from "@duckdb/node-api"; const i = await DuckDBInstance.create(${JSON.stringify(path)}${options}); const c = await i.connect(); await c.run("SELECT count(*) FROM information_schema.tables"); process.stdout.write("open\\n"); process.stdin.resume(); process.stdin.on("end", () => process.exit(0))`
      ],
      { cwd: NodePath.join(import.meta.dirname, "..", ".."), stdio: ["pipe", "pipe", "inherit"] }
    )
    await new Promise<void>((resolve, reject) => {
      holder.stdout.once("data", () => resolve())
      holder.once("exit", (code) => reject(new Error(`the analyst's process ended (${code})`)))
    })
    const closed = new Promise((resolve) => holder.once("close", resolve))
    return {
      pid: holder.pid!,
      close: async () => {
        holder.stdin.end()
        await closed
      }
    }
  }

  it.each([
    { readOnly: true, how: "read-only" },
    { readOnly: false, how: "read-write" }
  ])(
    "open $how: the load says whom it waits for, loads once it is closed, and the table is intact",
    async ({ readOnly }) => {
      const path = database(`analyst-${readOnly ? "ro" : "rw"}`)
      expect((await cli(["load", run, "--into", `duckdb:${path}`, "--quiet"])).code).toBe(0)
      const session = await analyst(path, readOnly)
      const child = spawn(process.execPath, [mainWithDuckDbPath, "load", run, "--into", `duckdb:${path}`], {
        env: cliEnv(),
        stdio: ["ignore", "pipe", "pipe"]
      })
      let stderr = ""
      const ended = new Promise<number | null>((resolve) => child.on("close", resolve))
      try {
        await new Promise<void>((resolve, reject) => {
          child.stderr.setEncoding("utf8").on("data", (text: string) => {
            stderr += text
            if (stderr.includes("waiting until it is closed")) resolve()
          })
          void ended.then((code) => reject(new Error(`the load ended (${code}) without waiting: ${stderr}`)))
        })
      } finally {
        await session.close()
      }
      expect(await ended, stderr).toBe(0)
      expect(stderr).toContain(
        `the DuckDB database ${path} is open in another process on this machine (PID ${session.pid}, ${process.execPath}): waiting until it is closed (Ctrl-C stops waiting)`
      )
      await withDuckDb(path, async (q) => {
        await holdsTheFileOnce(q)
        expect(await q("SELECT mode FROM spotpipe_loads")).toEqual([["replace"], ["replace"]])
      })
    },
    60_000
  )
})
