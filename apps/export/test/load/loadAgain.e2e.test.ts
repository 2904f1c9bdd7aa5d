/**
 * Loading again into the same target, against real engines (DuckDB, and PostgreSQL as PGlite over the wire
 * protocol): `--mode append` adds a file's rows once — a load retried after a failure, or of a later run that wrote
 * the same file, skips each file it already appended to that table and says so — a table name held by a view is
 * refused alike in every mode with what to do, and a DuckDB database the load created is not left behind when the
 * load committed nothing. Runs are in-process but for those that wait for another process's lock or are stopped by
 * a signal: those are processes of the built CLI with DuckDB beside it.
 */
import { spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DuckDbHeld, heldHere, lockHolder } from "../../src/load/DuckDbEngine.ts"
import { createTable, tableNames } from "../../src/load/Warehouse.ts"
import { cliEnv, mainWithDuckDbPath, runCli } from "../support/runCli.ts"
import { type LoadFixture, startLoadFixture } from "./support/LoadFixture.ts"
import { cli, editedRun, manifestOf, withDuckDb, withPostgres } from "./support/loadHelpers.ts"
import type { PgliteServer } from "./support/PgliteServer.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-load-again-"))
const run = NodePath.join(root, "run")
const daily = "liveboard-Order Operations/Daily Quantity.csv"
const monthly = "answer-Revenue by Month.csv"
let fixture: LoadFixture
let server: PgliteServer
let env: Record<string, string>

beforeAll(async () => {
  fixture = await startLoadFixture({
    rows: 2_000,
    seed: 11,
    run,
    exports: [
      { type: "liveboard", id: "Order Operations", visualizations: ["Daily Quantity"] },
      { type: "answer", id: "Revenue by Month" }
    ]
  })
  ;({ server, env } = fixture)
}, 120_000)

afterAll(async () => {
  await fixture?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

const tableOf = (file: string) => {
  const files = manifestOf(run).outputs.map((o) => o.file)
  return tableNames(files)[files.indexOf(file)]!
}
const rowsOf = (file: string) => manifestOf(run).outputs.find((o) => o.file === file)!.rows_written

/** A copy of the run whose manifest lists `file` only (a run of its own, with other manifest bytes). */
const runOf = (label: string, file: string): string => {
  const only = editedRun(run, NodePath.join(root, label), file, (t) => t)
  const manifest = manifestOf(only)
  manifest.outputs = manifest.outputs.filter((o) => o.file === file)
  NodeFs.writeFileSync(NodePath.join(only, "manifest.json"), JSON.stringify(manifest))
  return only
}

type Query = (sql: string) => Promise<Array<Array<unknown>>>
const count = (q: Query, table: string) => q(`SELECT count(*) FROM "${table}"`).then((r) => Number(r[0]![0]))

/** `text` (a CSV file) with the first field of its first row, or its last field, set to `value`. */
const firstRow = (text: string, field: "first" | "last", value: string): string => {
  const lines = text.split("\r\n")
  const cells = lines[1]!.split(",")
  cells[field === "first" ? 0 : cells.length - 1] = value
  lines[1] = cells.join(",")
  return lines.join("\r\n")
}

// PostgreSQL is one database for every test: each test starts without the run's tables and the load record.
const engines = [
  {
    name: "duckdb" as const,
    into: (label: string) => `duckdb:${NodePath.join(root, `${label}.duckdb`)}`,
    open: <A>(label: string, use: (q: Query) => Promise<A>) => withDuckDb(NodePath.join(root, `${label}.duckdb`), use),
    clean: async () => {}
  },
  {
    name: "postgres" as const,
    into: () => server.url,
    open: <A>(_label: string, use: (q: Query) => Promise<A>) => withPostgres(server.url, use),
    clean: () =>
      withPostgres(server.url, async (q) => {
        for (const table of [tableOf(daily), tableOf(monthly), "spotpipe_loads"]) {
          await q(`DROP TABLE IF EXISTS "${table}"`)
        }
      })
  }
]

describe.each(engines)("load into $name again", (engine) => {
  it("--mode append adds each file once: a retried load skips what it appended and says so", async () => {
    const label = `append-${engine.name}`
    await engine.clean()
    const into = engine.into(label)
    // The first attempt appended the daily quantities only (its second table failed, say).
    const first = await cli(["load", runOf(`${label}-first`, daily), "--into", into, "--mode", "append"], env)
    expect(first.stderr).toBe("")
    expect(first.code).toBe(0)
    // The retry (a run --resume rewrote: other manifest bytes, the same files) appends the other table only.
    const retried = await cli(["load", run, "--into", into, "--mode", "append"], env)
    expect(retried.code).toBe(0)
    const skipped = new RegExp(
      `^spotpipe: warning: ${daily}: already appended to ${tableOf(daily)} by the load of \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z \\(run [^)]+\\): skipped$`
    )
    expect(retried.stderr.split("\n")).toEqual([expect.stringMatching(skipped)])
    const lines = retried.stdout.trimEnd().split("\n")
    expect(lines.find((l) => l.startsWith(tableOf(daily)))).toMatch(/ skipped +- +liveboard-Order Operations\//)
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^loaded 1 table, ${rowsOf(monthly)} rows into .+; skipped 1 file already appended to its table by an earlier load$`
      )
    )
    // Once more: both skipped, nothing added, nothing recorded.
    const text = await cli(["load", run, "--into", into, "--mode", "append"], env)
    expect(text.code).toBe(0)
    expect(text.stdout.trimEnd().split("\n").at(-1)).toMatch(
      /^loaded 0 tables, 0 rows into .+ \(manifest SHA-256 [0-9a-f]{12}…\); skipped 2 files already appended to their tables by an earlier load$/
    )
    // And as JSON.
    const again = await cli(["load", run, "--into", into, "--mode", "append", "--log-format", "json"], env)
    expect(again.code).toBe(0)
    const report = JSON.parse(again.stdout).load as { rows: number; tables: Array<{ rows: number; skipped: string }> }
    expect(report.rows).toBe(0)
    expect(report.tables.map((t) => t.skipped)).toEqual([
      expect.stringMatching(/^already appended to .+ by the load of /),
      expect.stringMatching(/^already appended to .+ by the load of /)
    ])
    await engine.open(label, async (q) => {
      expect(await count(q, tableOf(daily))).toBe(rowsOf(daily))
      expect(await count(q, tableOf(monthly))).toBe(rowsOf(monthly))
    })
    // A replace drops what was appended: an append after it adds the file again.
    expect((await cli(["load", run, "--into", into, "--quiet"], env)).code).toBe(0)
    const afterReplace = await cli(["load", run, "--into", into, "--mode", "append", "--quiet"], env)
    expect(afterReplace.stderr).toBe("")
    expect(afterReplace.code).toBe(0)
    await engine.open(label, async (q) => {
      expect(await count(q, tableOf(daily))).toBe(2 * rowsOf(daily))
    })
    // A file with other bytes is another file: appended.
    const next = editedRun(run, NodePath.join(root, `${label}-next`), daily, (t) => firstRow(t, "last", "999999"))
    const nextLoad = await cli(["load", next, "--into", into, "--mode", "append", "--quiet"], env)
    expect(nextLoad.code).toBe(0)
    expect(nextLoad.stderr).toContain(`${monthly}: already appended`)
    expect(nextLoad.stderr).not.toContain(`${daily}: already appended`)
    await engine.open(label, async (q) => {
      expect(await count(q, tableOf(daily))).toBe(3 * rowsOf(daily))
    })
  }, 120_000)

  it("a name that is a view is refused in every mode with the same words, naming what to do", async () => {
    const label = `view-${engine.name}`
    await engine.clean()
    const table = tableOf(daily)
    await engine.open(label, (q) => q(`CREATE VIEW "${table}" AS SELECT 1 AS "Total Quantity"`))
    for (const flags of [[], ["--mode", "append"], ["--mode", "merge", "--key", "Day(Order Date)"]]) {
      const refused = await cli(["load", run, "--into", engine.into(label), ...flags], env)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain(
        `${daily} loads into a table named ${table}, which is a view in the target: rename or drop the view, or load into another ${engine.name === "postgres" ? "schema" : "database file"}`
      )
      expect(refused.stderr).not.toContain("--mode replace")
      expect(refused.stderr).toContain("nothing was loaded")
    }
    await engine.open(label, async (q) => {
      expect(await q(`SELECT * FROM "${table}"`)).toEqual([[1]])
      await q(`DROP VIEW "${table}"`)
    })
  }, 120_000)
})

describe("an existing PostgreSQL table whose column names differ only in case", () => {
  it("is refused by append and merge before any table is loaded (PostgreSQL's quoted names are case-sensitive)", async () => {
    await engines[1]!.clean()
    // As someone created it with unquoted names, which PostgreSQL folds to lower case.
    const columns = manifestOf(run).outputs.find((o) => o.file === monthly)!.columns
    const table = tableOf(monthly)
    await withPostgres(server.url, (q) =>
      q(createTable("postgres", { table, columns: columns.map((c) => ({ ...c, name: c.name.toLowerCase() })) }))
    )
    for (const flags of [
      ["--mode", "append"],
      ["--mode", "merge", "--key", columns[0]!.name]
    ]) {
      const refused = await cli(["load", run, "--into", server.url, ...flags], env)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain("nothing was loaded")
      expect(refused.stderr).toContain(`table ${table} exists with other columns`)
      await withPostgres(server.url, async (q) => {
        const tables = await q(
          `SELECT count(*) FROM pg_tables WHERE tablename IN ('${tableOf(daily)}', 'spotpipe_loads')`
        )
        expect(Number(tables[0]![0])).toBe(0)
      })
    }
  }, 60_000)
})

describe("a DuckDB database the load created", () => {
  const database = (label: string) => NodePath.join(root, `${label}.duckdb`)

  it("is not left behind when the load refused or failed before any table committed", async () => {
    // A file changed since its run: refused before any table.
    const changed = editedRun(run, NodePath.join(root, "changed"), monthly, (t) => t)
    NodeFs.appendFileSync(NodePath.join(changed, daily), "2099-01-01,1\r\n")
    const refused = await cli(["load", changed, "--into", `duckdb:${database("changed")}`], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("is not the file the manifest describes")
    // A bad row in the first table: its load rolled back, no table committed.
    const bad = editedRun(run, NodePath.join(root, "bad"), daily, (t) => firstRow(t, "first", "not-a-day"))
    const failed = await cli(["load", bad, "--into", `duckdb:${database("bad")}`], env)
    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain("left as it was")
    for (const label of ["changed", "bad"]) {
      expect(NodeFs.readdirSync(root).filter((name) => name.startsWith(`${label}.duckdb`))).toEqual([])
    }
  }, 60_000)

  /** Another process that opens the DuckDB database `path` and keeps it open until it is closed. */
  const holdOpen = async (path: string) => {
    const holder = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { DuckDBInstance } from "@duckdb/node-api"; const i = await DuckDBInstance.create(${JSON.stringify(path)}); await i.connect(); process.stdout.write("open\\n"); process.stdin.resume(); process.stdin.on("end", () => process.exit(0))`
      ],
      { cwd: NodePath.join(import.meta.dirname, "..", ".."), stdio: ["pipe", "pipe", "inherit"] }
    )
    await new Promise<void>((resolve, reject) => {
      holder.stdout.once("data", () => resolve())
      holder.once("exit", (code) => reject(new Error(`the process holding the database ended (${code})`)))
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

  /** `spotpipe args…` (a load, a run that loads) as a process of its own (the built CLI with DuckDB beside it). */
  const loadProcess = (args: ReadonlyArray<string>) => {
    const child = spawn(process.execPath, [mainWithDuckDbPath, ...args], {
      env: cliEnv(env),
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stderr = ""
    const seen: Array<{ text: string; done: () => void }> = []
    child.stderr.setEncoding("utf8").on("data", (text: string) => {
      stderr += text
      for (const wait of seen.splice(0)) {
        if (stderr.includes(wait.text)) wait.done()
        else seen.push(wait)
      }
    })
    const ended = new Promise<{ code: number | null; stderr: string }>((resolve) =>
      child.on("close", (code) => resolve({ code, stderr }))
    )
    return {
      child,
      ended,
      said: (text: string) =>
        new Promise<void>((resolve, reject) => {
          if (stderr.includes(text)) return resolve()
          seen.push({ text, done: resolve })
          void ended.then((e) => reject(new Error(`the load ended (${e.code}) without saying ${text}: ${e.stderr}`)))
        })
    }
  }

  const waitLine = (path: string, pid: number) =>
    `the DuckDB database ${path} is open in another process on this machine (PID ${pid}, ${process.execPath}): waiting until it is closed (Ctrl-C stops waiting)`

  it("held open by another process on this machine: the load says once whom it waits for, then loads", async () => {
    const path = database("held")
    expect((await cli(["load", run, "--into", `duckdb:${path}`, "--quiet"], env)).code).toBe(0)
    const holder = await holdOpen(path)
    let load: ReturnType<typeof loadProcess> | undefined
    try {
      load = loadProcess(["load", run, "--into", `duckdb:${path}`, "--mode", "append"])
      await load.said(waitLine(path, holder.pid))
    } finally {
      await holder.close()
    }
    const done = await load!.ended
    expect(done.code, done.stderr).toBe(0)
    expect(done.stderr.split(waitLine(path, holder.pid))).toHaveLength(2)
    // Loaded once the holder had closed it: the rows appended to the first load's.
    await withDuckDb(path, async (q) => {
      expect(await count(q, tableOf(daily))).toBe(2 * rowsOf(daily))
    })
  }, 60_000)

  it("a shard of a job that loads into a DuckDB file another shard's load holds waits its turn, then loads", async () => {
    const path = database("shards")
    const job = NodePath.join(root, "sharded.json")
    NodeFs.writeFileSync(
      job,
      JSON.stringify({
        exports: [
          { type: "liveboard", id: "Order Operations", visualizations: ["Daily Quantity"] },
          { type: "answer", id: "Revenue by Month" }
        ],
        load: { into: `duckdb:${path}` }
      })
    )
    const out = NodePath.join(root, "sharded")
    // Shard 2's load, held open while shard 1 loads (as two shards on one node whose loads meet).
    const holder = await holdOpen(path)
    let shard: ReturnType<typeof loadProcess> | undefined
    try {
      shard = loadProcess(["run", job, "--out", out, "--shard", "1/2", "--quiet"])
      await shard.said(waitLine(path, holder.pid))
    } finally {
      await holder.close()
    }
    const first = await shard!.ended
    expect(first.code, first.stderr).toBe(0)
    const second = await cli(["run", job, "--out", out, "--shard", "2/2", "--quiet"], env)
    expect(second.code, second.stderr).toBe(0)
    await withDuckDb(path, async (q) => {
      expect(await count(q, tableOf(daily))).toBe(rowsOf(daily))
      expect(await count(q, tableOf(monthly))).toBe(rowsOf(monthly))
    })
  }, 60_000)

  it("held open by another process on this machine: Ctrl-C stops the wait and loads nothing", async () => {
    const path = database("held-interrupted")
    const holder = await holdOpen(path)
    try {
      const stopped = await runCli(["load", run, "--into", `duckdb:${path}`], {
        env,
        withDuckDb: true,
        killOn: { text: "waiting until it is closed", signal: "SIGINT" }
      })
      expect(stopped.code, stopped.stderr).toBe(130)
      expect(stopped.stderr).toContain(waitLine(path, holder.pid))
      expect(stopped.stderr).toContain("interrupted; nothing was loaded: it was waiting for the DuckDB database")
    } finally {
      await holder.close()
    }
    await withDuckDb(path, async (q) => {
      expect(await q(`SELECT count(*) FROM information_schema.tables`)).toEqual([[0n]])
    })
  }, 60_000)

  it("a holder DuckDB names that is not a process on this machine with the file open is not waited for", async () => {
    const path = database("held-elsewhere")
    const holder = await holdOpen(path)
    try {
      expect(heldHere(new DuckDbHeld(path, holder.pid, process.execPath))).toBe(true)
      // This process runs, but has not that file open: a pid of another host that is a process here too.
      expect(heldHere(new DuckDbHeld(path, process.pid, process.execPath))).toBe(false)
    } finally {
      await holder.close()
    }
    // The holder's pid, now gone; and 0, what a lock over a network file system may report.
    expect(heldHere(new DuckDbHeld(path, holder.pid, process.execPath))).toBe(false)
    expect(heldHere(new DuckDbHeld(path, 0, ""))).toBe(false)
  }, 60_000)

  it("the holder is read from both of DuckDB's lock messages", () => {
    expect(
      lockHolder(
        'IO Error: Could not set lock on file "/d/w.duckdb": Conflicting lock is held in /usr/bin/node (PID 2070). See also https://duckdb.org/docs/stable/connect/concurrency'
      )
    ).toEqual({ pid: 2070, program: "/usr/bin/node" })
    // A holder in another pid namespace (another container on the host): no program, PID 0.
    expect(
      lockHolder(
        'IO Error: Could not set lock on file "/d/w.duckdb": Conflicting lock is held in PID 0. See also https://duckdb.org/docs/stable/connect/concurrency'
      )
    ).toEqual({ pid: 0, program: "" })
    expect(lockHolder("IO Error: Cannot open file")).toBeUndefined()
  })

  it("stays when a table committed, and one that was there before stays whatever the load did", async () => {
    const path = database("kept")
    // Loaded once (committed), then a load that fails into it: the database stays, with its table.
    expect((await cli(["load", run, "--into", `duckdb:${path}`, "--quiet"], env)).code).toBe(0)
    const bad = editedRun(run, NodePath.join(root, "bad-kept"), daily, (t) => firstRow(t, "first", "x"))
    expect((await cli(["load", bad, "--into", `duckdb:${path}`], env)).code).toBe(1)
    await withDuckDb(path, async (q) => {
      expect(await count(q, tableOf(daily))).toBe(rowsOf(daily))
    })
    // An empty database made by someone else is not the load's to remove.
    const empty = database("empty")
    await withDuckDb(empty, async () => {})
    expect((await cli(["load", bad, "--into", `duckdb:${empty}`], env)).code).toBe(1)
    expect(NodeFs.existsSync(empty)).toBe(true)
  }, 60_000)
})

describe("the spotpipe_loads record of an earlier version (no file_sha256)", () => {
  it("gains the column, and its append records still make a retried append skip", async () => {
    const path = NodePath.join(root, "older.duckdb")
    const into = `duckdb:${path}`
    expect((await cli(["load", run, "--into", into, "--mode", "append", "--quiet"], env)).code).toBe(0)
    // As the record was before it kept each file's SHA-256.
    await withDuckDb(path, (q) => q("ALTER TABLE spotpipe_loads DROP COLUMN file_sha256"))
    const again = await cli(["load", run, "--into", into, "--mode", "append"], env)
    expect(again.code).toBe(0)
    expect(again.stderr).toContain(`${daily}: already appended to ${tableOf(daily)}`)
    await withDuckDb(path, async (q) => {
      expect(await count(q, tableOf(daily))).toBe(rowsOf(daily))
      const columns = await q(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'spotpipe_loads' ORDER BY ordinal_position"
      )
      expect(columns.map((c) => String(c[0])).at(-1)).toBe("file_sha256")
    })
  }, 60_000)
})
