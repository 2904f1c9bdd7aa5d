/**
 * `spotpipe load --lock-timeout SECONDS` (a job file's `"load": {"lockTimeoutSeconds": …}`) against real engines: a
 * DuckDB file another process keeps open past the limit fails the load (exit 1) naming that process, nothing
 * loaded; a PostgreSQL lock another session keeps past it fails the table that waits, rolled back, and the message
 * says the table loaded before it stays loaded and how to wait longer; a lock released within the limit lets the load
 * go on, and the flag wins over the URL's `lock_timeout`. A bad value is a usage error naming the flag.
 */
import { spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { Exit } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parseJobFile } from "../../src/plan/JobFile.ts"
import { cliEnv, mainPath, mainWithDuckDbPath } from "../support/runCli.ts"
import { sandboxEnv, testSandbox, writeJob } from "../support/Sandboxes.ts"
import { craftRun } from "./support/CraftedRun.ts"
import { cli, withDuckDb, withPostgres } from "./support/loadHelpers.ts"
import { type RealPostgres, startRealPostgres } from "./support/RealPostgres.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-lock-timeout-"))
afterAll(() => NodeFs.rmSync(root, { recursive: true, force: true }))

const columns = [
  { name: "id", type: "INT64" },
  { name: "name", type: "VARCHAR" }
]
/** Two tables, `first` then `second`, of `rows` rows each. */
const runOf = (label: string, rows: number) =>
  craftRun(
    NodePath.join(root, label),
    ["first.csv", "second.csv"].map((file) => ({
      file,
      columns,
      rows: Array.from({ length: rows }, (_, i) => [String(i), `${label} ${i}`])
    }))
  )
const before = runOf("before", 3)
const after = runOf("after", 5)

type Query = (sql: string) => Promise<Array<Array<unknown>>>
const counts = async (q: Query) => ({
  first: Number((await q("SELECT count(*) FROM first"))[0]![0]),
  second: Number((await q("SELECT count(*) FROM second"))[0]![0]),
  loads: (await q("SELECT table_name, rows FROM spotpipe_loads ORDER BY table_name, loaded_at")).map((r) =>
    r.map(String)
  )
})

/** `spotpipe load …` as a process of its own, whose stderr can be waited on as it comes. */
const loadProcess = (bin: string, args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [bin, ...args], { env: cliEnv(), stdio: ["ignore", "pipe", "pipe"] })
  let stderr = ""
  const waits: Array<{ text: string; done: () => void }> = []
  child.stderr.setEncoding("utf8").on("data", (text: string) => {
    stderr += text
    for (const wait of waits.splice(0)) {
      if (stderr.includes(wait.text)) wait.done()
      else waits.push(wait)
    }
  })
  const ended = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stderr }))
  )
  return {
    ended,
    said: (text: string) =>
      new Promise<void>((resolve, reject) => {
        if (stderr.includes(text)) return resolve()
        waits.push({ text, done: resolve })
        void ended.then((e) => reject(new Error(`the load ended (${e.code}) without saying ${text}: ${e.stderr}`)))
      })
  }
}

/** Another process with the database open (an analyst's `duckdb` shell), until `close`. */
const holder = async (path: string) => {
  const held = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { DuckDBInstance } from "@duckdb/node-api"; const i = await DuckDBInstance.create(${JSON.stringify(path)}); const c = await i.connect(); await c.run("SELECT 1"); process.stdout.write("open\\n"); process.stdin.resume(); process.stdin.on("end", () => process.exit(0))`
    ],
    { cwd: NodePath.join(import.meta.dirname, "..", ".."), stdio: ["pipe", "pipe", "inherit"] }
  )
  await new Promise<void>((resolve, reject) => {
    held.stdout.once("data", () => resolve())
    held.once("exit", (code) => reject(new Error(`the holding process ended (${code})`)))
  })
  const closed = new Promise((resolve) => held.once("close", resolve))
  return {
    pid: held.pid!,
    close: async () => {
      held.stdin.end()
      await closed
    }
  }
}

describe("--lock-timeout: a DuckDB file open in another process of this machine", () => {
  it("kept open past the limit: exit 1 naming the process and what to do, the tables as they were", async () => {
    const path = NodePath.join(root, "past.duckdb")
    expect((await cli(["load", before, "--into", `duckdb:${path}`, "--quiet"])).code).toBe(0)
    const analyst = await holder(path)
    let failed: Awaited<ReturnType<typeof cli>>
    try {
      failed = await cli(["load", after, "--into", `duckdb:${path}`, "--lock-timeout", "1"])
    } finally {
      await analyst.close()
    }
    expect(failed.code, failed.stderr).toBe(1)
    expect(failed.stderr).toContain(
      `cannot open the DuckDB database ${path}: another process on this machine (PID ${analyst.pid}, ${process.execPath}) kept it open beyond the 1 s (--lock-timeout 1) a load waits; nothing was loaded: load again once that process has closed it, or give a longer --lock-timeout (0 waits without limit)`
    )
    await withDuckDb(path, async (q) =>
      expect(await counts(q)).toEqual({
        first: 3,
        second: 3,
        loads: [
          ["first", "3"],
          ["second", "3"]
        ]
      })
    )
  }, 60_000)

  it("closed within the limit: the load says it waits, at most how long, and loads", async () => {
    const path = NodePath.join(root, "within.duckdb")
    expect((await cli(["load", before, "--into", `duckdb:${path}`, "--quiet"])).code).toBe(0)
    const analyst = await holder(path)
    const load = loadProcess(mainWithDuckDbPath, ["load", after, "--into", `duckdb:${path}`, "--lock-timeout", "600"])
    try {
      await load.said(
        `the DuckDB database ${path} is open in another process on this machine (PID ${analyst.pid}, ${process.execPath}): waiting until it is closed, 600 s (--lock-timeout 600) at most (Ctrl-C stops waiting)`
      )
    } finally {
      await analyst.close()
    }
    const done = await load.ended
    expect(done.code, done.stderr).toBe(0)
    await withDuckDb(path, async (q) => {
      const now = await counts(q)
      expect([now.first, now.second, now.loads.length]).toEqual([5, 5, 4])
    })
  }, 60_000)
})

describe("--lock-timeout: a PostgreSQL lock another session holds", () => {
  let server: RealPostgres | undefined
  beforeAll(() => {
    server = startRealPostgres()
  })
  afterAll(() => server?.close())
  const url = () => server!.url

  /** A session of its own that holds `lock` until `release` (an analyst's psql, say). */
  const session = async (lock: string) => {
    let release!: () => void
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    let held!: () => void
    const holding = new Promise<void>((resolve) => {
      held = resolve
    })
    const done = withPostgres(url(), async (q) => {
      await q("SET application_name = 'analyst'")
      await q(`BEGIN; ${lock}`)
      held()
      await released
      await q("ROLLBACK")
    })
    await holding
    return async () => {
      release()
      await done
    }
  }

  const reset = async () => {
    await withPostgres(url(), (q) => q("DROP TABLE IF EXISTS first, second, spotpipe_loads"))
    expect((await cli(["load", before, "--into", url(), "--quiet"])).code).toBe(0)
  }

  it("kept past the limit: the waiting table rolled back, the one before it stays loaded, and the message says so", async () => {
    await reset()
    const release = await session("LOCK TABLE second")
    let failed: Awaited<ReturnType<typeof cli>>
    try {
      failed = await cli(["load", after, "--into", url(), "--lock-timeout", "1"])
    } finally {
      await release()
    }
    expect(failed.code, failed.stderr).toBe(1)
    expect(failed.stderr).toContain(
      "canceling statement due to lock timeout: another session held a lock this load needs for longer than the 1 s (--lock-timeout 1) a load waits"
    )
    expect(failed.stderr).toContain(
      "load again once that session is done, or give a longer --lock-timeout (0 waits without limit) (table second was left as it was); the table first loaded before it stays loaded: once that is done, load again to load them all"
    )
    await withPostgres(url(), async (q) =>
      expect(await counts(q)).toEqual({
        first: 5,
        second: 3,
        loads: [
          ["first", "3"],
          ["first", "5"],
          ["second", "3"]
        ]
      })
    )
  }, 60_000)

  it("released within the limit: the load goes on, the flag winning over the URL's shorter lock_timeout", async () => {
    await reset()
    const release = await session("LOCK TABLE first")
    // Without the flag this URL's 100 ms would fail the load before it says it waits (see lockedTable.e2e).
    const shortUrl = `${url()}&options=-c%20lock_timeout%3D100ms`
    const load = loadProcess(mainPath, ["load", after, "--into", shortUrl, "--lock-timeout", "600"])
    try {
      await load.said("waiting for a lock on first, held by (or asked for first by) the session PID")
      await load.said("the load goes on once it is released, or stops after 600 s (--lock-timeout 600)")
    } finally {
      await release()
    }
    const done = await load.ended
    expect(done.code, done.stderr).toBe(0)
    await withPostgres(url(), async (q) => {
      const now = await counts(q)
      expect([now.first, now.second, now.loads.length]).toEqual([5, 5, 4])
    })
  }, 60_000)
})

describe("--lock-timeout values", () => {
  it.each(["soon", "1.5", "-1", "86401", ""])("%j is a usage error naming the flag", async (value) => {
    const refused = await cli(["load", before, "--into", "duckdb:never.duckdb", "--lock-timeout", value])
    expect(refused.code, refused.stderr).toBe(2)
    expect(refused.stderr).toContain("use --lock-timeout with whole seconds from 0 (wait without limit) to 86400")
  })
})

describe('a job file\'s "load": {"lockTimeoutSeconds": …}', () => {
  const exports = [{ type: "answer", id: "Revenue by Month" }]
  const problems = (load: unknown): string => {
    const parsed = parseJobFile(JSON.stringify({ exports, load }), "job.json")
    if (Exit.isSuccess(parsed)) throw new Error("expected the job file to be refused")
    const failure = parsed.cause.reasons.find((r) => r._tag === "Fail")
    return failure?._tag === "Fail" ? failure.error.message : ""
  }

  it("takes whole seconds from 0 to 86400, and says how a job file writes the flag", () => {
    const parsed = parseJobFile(
      JSON.stringify({ exports, load: { into: "duckdb:w.duckdb", lockTimeoutSeconds: 0 } }),
      "job.json"
    )
    expect(Exit.isSuccess(parsed) && parsed.value.load?.lockTimeoutSeconds).toBe(0)
    for (const value of [1.5, -1, 86_401, "30"]) {
      expect(problems({ into: "duckdb:w.duckdb", lockTimeoutSeconds: value })).toContain("load.lockTimeoutSeconds")
    }
    expect(problems({ into: "duckdb:w.duckdb", lockTimeoutSeconds: 86_401 })).toContain(
      "must be whole seconds from 0 (wait without limit) to 86400"
    )
    expect(problems({ into: "duckdb:w.duckdb", "lock-timeout": 5 })).toContain(
      'a job file writes the flag --lock-timeout as "lockTimeoutSeconds"'
    )
  })

  describe("spotpipe run with the job's DuckDB file open in another process", () => {
    const sandbox = testSandbox({ rows: 200, seed: 5 })

    it("stops the load at the limit, naming the job file's key", async () => {
      const path = NodePath.join(root, "job.duckdb")
      const analyst = await holder(path)
      const job = writeJob(root, { exports, load: { into: `duckdb:${path}`, lockTimeoutSeconds: 1 } })
      const out = NodePath.join(root, "job-run")
      let ran: Awaited<ReturnType<typeof cli>>
      try {
        ran = await cli(["run", job, "--out", out], sandboxEnv(sandbox.sandbox))
      } finally {
        await analyst.close()
      }
      expect(ran.code, ran.stderr).toBe(1)
      expect(ran.stderr).toContain(
        `kept it open beyond the 1 s ("lockTimeoutSeconds": 1) a load waits; nothing was loaded: continue the run (spotpipe run ${job} --out ${out} --resume) once that process has closed it, or set a longer "lockTimeoutSeconds" in the job file's "load" (0 waits without limit)`
      )
    }, 60_000)
  })
})
