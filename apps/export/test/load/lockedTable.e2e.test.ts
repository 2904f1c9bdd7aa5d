/**
 * `spotpipe load` into a PostgreSQL table that other sessions use at the same time, on a real multi-backend server:
 * two replaces at once leave one load's rows (never both) with a record each; an append adds its rows while an
 * analyst's transaction reads the table; a replace (or append) that must wait for another session's lock says
 * on stderr which session it waits for, then loads once the lock is let go; Ctrl-C while it waits cancels the
 * waiting statement on the server (the lock's queue is not left holding it) and loads nothing.
 */
import { spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeNet from "node:net"
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { loadRun, type TableLoad } from "../../src/load/Load.ts"
import { openPostgres } from "../../src/load/PostgresEngine.ts"
import { readRunManifest } from "../../src/load/RunManifest.ts"
import { cliEnv, mainPath, runNode } from "../support/runCli.ts"
import {
  cli,
  csvRows,
  editedRun,
  manifestOf,
  rowSet,
  tableRows,
  withPostgres,
  writeManifest
} from "./support/loadHelpers.ts"
import { realPostgresAndRun } from "./support/RealPostgres.ts"

const server = realPostgresAndRun("spotpipe-locked-table-", 7)
const { run } = server

type Query = (sql: string) => Promise<Array<Array<unknown>>>

const output = () => readRunManifest(run).outputs[0]!
const table = () => output().table
const count = (q: Query, name = table()) => q(`SELECT count(*) FROM "${name}"`).then((r) => Number(r[0]![0]))

/** The table holds the run's rows once, and the loads record holds the one replace that put them there. */
const expectOneReplaceLoaded = () =>
  withPostgres(server.url, async (q) => {
    expect(await count(q)).toBe(output().rows)
    expect(await q("SELECT mode FROM spotpipe_loads")).toEqual([["replace"]])
  })

const reset = () => withPostgres(server.url, (q) => q(`DROP TABLE IF EXISTS "${table()}", spotpipe_loads`))
const replaceOnce = async () => expect((await cli(["load", run, "--into", server.url, "--quiet"])).code).toBe(0)

/** A session of its own that stays open until `end` (an analyst's psql, say). */
const session = async () => {
  const ended: Array<() => void> = []
  let use!: Query
  const opened = new Promise<void>((ready) => {
    void withPostgres(server.url, async (query) => {
      use = query
      await query("SET application_name = 'analyst'")
      ready()
      await new Promise<void>((resolve) => ended.push(resolve))
    })
  })
  await opened
  const [[pid]] = (await use("SELECT pg_backend_pid()")) as [[number]]
  return { pid, query: use, end: () => ended[0]!() }
}

/** `spotpipe load …` as a process of its own (the test run's build), whose stderr can be waited on as it comes. */
const loadProcess = (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [mainPath, ...args], { env: cliEnv(), stdio: ["ignore", "pipe", "pipe"] })
  let stderr = ""
  const waits: Array<{ text: RegExp; done: () => void }> = []
  child.stderr.setEncoding("utf8").on("data", (text: string) => {
    stderr += text
    for (const wait of waits.splice(0)) {
      if (wait.text.test(stderr)) wait.done()
      else waits.push(wait)
    }
  })
  const ended = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stderr }))
  )
  return {
    ended,
    interrupt: () => child.kill("SIGINT"),
    said: (text: RegExp) =>
      new Promise<void>((resolve, reject) => {
        if (text.test(stderr)) return resolve()
        waits.push({ text, done: resolve })
        void ended.then((e) => reject(new Error(`the load ended (${e.code}) without saying ${text}: ${e.stderr}`)))
      })
  }
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

describe("two loads of one run into one PostgreSQL table at once", () => {
  it("replace: one load's rows, never both, and a record of each load", async () => {
    await reset()
    const open = () => openPostgres(server.url, "test", { password: undefined, passFile: undefined })
    const [first, second] = [await open(), await open()]
    let loads: ReadonlyArray<ReadonlyArray<TableLoad>>
    try {
      const options = { mode: "replace" as const, key: [], version: "test" }
      loads = await Promise.all([
        loadRun(first, readRunManifest(run), options),
        loadRun(second, readRunManifest(run), options)
      ])
    } finally {
      await first.close()
      await second.close()
    }
    expect(loads.map((l) => l[0]!.rows)).toEqual([output().rows, output().rows])
    await withPostgres(server.url, async (q) => {
      const columns = output().columns
      expect(
        rowSet(
          await tableRows(q, "postgres", table(), columns),
          columns.map((c) => c.type)
        )
      ).toEqual(
        rowSet(
          csvRows(output().path),
          columns.map((c) => c.type)
        )
      )
      expect(await q("SELECT mode, rows FROM spotpipe_loads ORDER BY loaded_at")).toEqual([
        ["replace", String(output().rows)],
        ["replace", String(output().rows)]
      ])
    })
  }, 60_000)
})

describe("loads of two runs into two PostgreSQL tables at once, into a database without spotpipe_loads", () => {
  it("both load, and the one record they both create holds a row for each", async () => {
    await reset()
    // The same result exported under another name: another table.
    const other = NodePath.join(server.root, "other")
    NodeFs.cpSync(run, other, { recursive: true })
    const manifest = manifestOf(other)
    const renamed = `copy-${manifest.outputs[0]!.file}`
    NodeFs.renameSync(NodePath.join(other, manifest.outputs[0]!.file), NodePath.join(other, renamed))
    ;(manifest.outputs[0] as { file: string }).file = renamed
    writeManifest(other, manifest)
    const otherTable = readRunManifest(other).outputs[0]!.table
    await withPostgres(server.url, (q) => q(`DROP TABLE IF EXISTS "${otherTable}"`))
    const ended = await Promise.all(
      [run, other].map((dir) => runNode([mainPath, "load", dir, "--into", server.url, "--quiet"]))
    )
    for (const e of ended) expect(e.code, e.stderr).toBe(0)
    await withPostgres(server.url, async (q) => {
      expect(await count(q)).toBe(output().rows)
      expect(await count(q, otherTable)).toBe(output().rows)
      expect(await q("SELECT table_name, rows FROM spotpipe_loads ORDER BY table_name")).toEqual(
        [table(), otherTable].sort().map((t) => [t, String(output().rows)])
      )
    })
  }, 60_000)
})

describe("a load while another session uses the PostgreSQL table", () => {
  it("append: adds its rows while an analyst's open transaction reads the table, which sees none of them", async () => {
    await reset()
    await replaceOnce()
    const analyst = await session()
    try {
      await analyst.query("BEGIN ISOLATION LEVEL REPEATABLE READ")
      expect(await count(analyst.query)).toBe(output().rows)
      const appended = await cli(["load", run, "--into", server.url, "--mode", "append", "--quiet"])
      expect(appended.code, appended.stderr).toBe(0)
      expect(appended.stderr).toBe("")
      expect(await count(analyst.query)).toBe(output().rows)
      await analyst.query("COMMIT")
      expect(await count(analyst.query)).toBe(2 * output().rows)
    } finally {
      analyst.end()
    }
  }, 60_000)

  it("replace: the file is read before the table is dropped, so one with a bad row fails without waiting for a reader", async () => {
    await reset()
    await replaceOnce()
    const file = output().file
    const bad = editedRun(run, NodePath.join(server.root, "bad"), file, (text) => {
      const lines = text.split("\r\n")
      const cells = lines[2]!.split(",")
      cells[cells.length - 1] = "not-a-number"
      lines[2] = cells.join(",")
      return lines.join("\r\n")
    })
    const analyst = await session()
    try {
      await analyst.query(`BEGIN; SELECT count(*) FROM "${table()}"`)
      const failed = await cli(["load", bad, "--into", server.url])
      expect(failed.code).toBe(1)
      // PostgreSQL's words name the table the user knows, and the row of the file.
      expect(failed.stderr).toContain(`(COPY ${table()}, line 3, column`)
      expect(failed.stderr).not.toContain("spotpipe_new_")
      expect(failed.stderr).toContain(`(table ${table()} was left as it was)`)
      expect(await count(analyst.query)).toBe(output().rows)
      await analyst.query("COMMIT")
    } finally {
      analyst.end()
    }
    await expectOneReplaceLoaded()
  }, 60_000)

  it("replace of a table a view reads: refused by PostgreSQL, the table and the view left as they were", async () => {
    await reset()
    await replaceOnce()
    await withPostgres(server.url, (q) => q(`CREATE VIEW report AS SELECT * FROM "${table()}"`))
    try {
      const failed = await cli(["load", run, "--into", server.url])
      expect(failed.code).toBe(1)
      expect(failed.stderr).toContain(`cannot drop table ${table()} because other objects depend on it`)
      expect(failed.stderr).toContain(`(table ${table()} was left as it was)`)
      await withPostgres(server.url, async (q) => {
        expect(await count(q, "report")).toBe(output().rows)
        expect(await q("SELECT count(*) FROM pg_class WHERE relname LIKE 'spotpipe_new%'")).toEqual([["0"]])
      })
    } finally {
      await withPostgres(server.url, (q) => q("DROP VIEW report"))
    }
  }, 60_000)

  // What the other session does, the load's mode, and what the load waits for as its message names it.
  const holders = [
    {
      name: "an open transaction that read the table",
      mode: "replace",
      hold: (q: Query) => q(`BEGIN; SELECT count(*) FROM "${table()}"`),
      release: (q: Query) => q("COMMIT"),
      waitsFor: () => `a lock on ${table()}`,
      state: "idle in transaction"
    },
    {
      name: "LOCK TABLE",
      mode: "append",
      hold: (q: Query) => q(`BEGIN; LOCK TABLE "${table()}"`),
      release: (q: Query) => q("ROLLBACK"),
      waitsFor: () => `a lock on ${table()}`,
      state: "idle in transaction"
    },
    {
      name: "LOCK TABLE on the load record",
      mode: "replace",
      hold: (q: Query) => q("BEGIN; LOCK TABLE spotpipe_loads"),
      release: (q: Query) => q("ROLLBACK"),
      waitsFor: () => "a lock on spotpipe_loads",
      state: "idle in transaction"
    },
    {
      name: "another load of the table (its turn)",
      mode: "append",
      hold: (q: Query) =>
        q(
          `BEGIN; SELECT pg_advisory_xact_lock(hashtext('spotpipe load'), hashtext(current_schema() || '.' || '${table()}'))`
        ),
      release: (q: Query) => q("COMMIT"),
      waitsFor: () => "its turn to load the table (another load of it is running)",
      state: "idle in transaction"
    }
  ] as const

  it.each(holders)(
    "$name: the $mode says which session it waits for, then loads once it is let go",
    async (h) => {
      await reset()
      await replaceOnce()
      const analyst = await session()
      let load: ReturnType<typeof loadProcess> | undefined
      try {
        await h.hold(analyst.query)
        load = loadProcess(["load", run, "--into", server.url, "--mode", h.mode])
        await load.said(
          new RegExp(
            `waiting for ${escaped(h.waitsFor())}, held by \\(or asked for first by\\) the session PID ${analyst.pid} \\(user postgres, "analyst", ${h.state}, in a transaction since [0-9T:.-]+Z\\): the load goes on once it is released`
          )
        )
        await h.release(analyst.query)
      } finally {
        analyst.end()
      }
      const done = await load.ended
      expect(done.code, done.stderr).toBe(0)
      await withPostgres(server.url, async (q) => {
        expect(await count(q)).toBe((h.mode === "append" ? 2 : 1) * output().rows)
        expect(await q("SELECT mode FROM spotpipe_loads ORDER BY loaded_at")).toEqual([["replace"], [h.mode]])
      })
    },
    60_000
  )

  it("a reader's long query: the replace says it waits for that session, and loads when the query ends", async () => {
    await reset()
    await replaceOnce()
    const analyst = await session()
    let load: ReturnType<typeof loadProcess> | undefined
    try {
      const reading = analyst.query(`SELECT count(*), pg_sleep(600) FROM "${table()}"`).then(
        () => "finished",
        (e: Error) => e.message
      )
      load = loadProcess(["load", run, "--into", server.url])
      await load.said(
        new RegExp(
          `waiting for a lock on ${escaped(table())}, .* PID ${analyst.pid} \\(user postgres, "analyst", active,`
        )
      )
      // The query is stopped (as a reader's own Ctrl-C would): the load goes on.
      await withPostgres(server.url, (q) => q(`SELECT pg_cancel_backend(${analyst.pid})`))
      expect(await reading).toContain("canceling statement due to user request")
    } finally {
      analyst.end()
    }
    const done = await load.ended
    expect(done.code, done.stderr).toBe(0)
    await withPostgres(server.url, async (q) => expect(await count(q)).toBe(output().rows))
  }, 60_000)

  it("Ctrl-C while it waits: exit 130, its waiting statement is cancelled on the server, nothing loaded", async () => {
    await reset()
    await replaceOnce()
    const analyst = await session()
    try {
      await analyst.query(`BEGIN; LOCK TABLE "${table()}" IN SHARE MODE`)
      const stopped = await runNode([mainPath, "load", run, "--into", server.url, "--mode", "append"], {
        killOn: { text: "waiting for a lock on", signal: "SIGINT" }
      })
      expect(stopped.code, stopped.stderr).toBe(130)
      // The load's session is gone from the server while the analyst still holds the lock: nothing of it waits in
      // the lock's queue (ahead of every later reader) until the analyst lets go.
      await withPostgres(server.url, async (q) => {
        for (;;) {
          const [[n]] = (await q("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'spotpipe load'")) as [
            [string]
          ]
          if (n === "0") return
          await new Promise((r) => setTimeout(r, 50))
        }
      })
      expect(await count(analyst.query)).toBe(output().rows)
      await analyst.query("ROLLBACK")
    } finally {
      analyst.end()
    }
    await expectOneReplaceLoaded()
  }, 60_000)
})

describe("a PostgreSQL lock_timeout set for the load's session", () => {
  it("bounds the wait: the load fails saying the lock timed out, the table left as it was", async () => {
    await reset()
    await replaceOnce()
    const analyst = await session()
    try {
      await analyst.query(`BEGIN; SELECT count(*) FROM "${table()}"`)
      const url = `${server.url}&options=-c%20lock_timeout%3D100ms`
      const failed = await cli(["load", run, "--into", url])
      expect(failed.code).toBe(1)
      expect(failed.stderr).toContain(
        "canceling statement due to lock timeout: another session held a lock this load needs for longer than the session's lock_timeout allows; load again once that session is done, or give --lock-timeout SECONDS to wait longer (0 waits without limit)"
      )
      expect(failed.stderr).toContain(`(table ${table()} was left as it was)`)
      expect(await count(analyst.query)).toBe(output().rows)
      await analyst.query("COMMIT")
    } finally {
      analyst.end()
    }
    await withPostgres(server.url, async (q) => {
      expect(await q("SELECT mode FROM spotpipe_loads")).toEqual([["replace"]])
    })
  }, 60_000)
})

describe("Ctrl-C while waiting for a lock, when no second session can be opened to cancel the wait", () => {
  it("the load still ends (exit 130) and loads nothing", async () => {
    await reset()
    await replaceOnce()
    // A port on loopback that passes connections to the server until the load waits, and then leaves new ones
    // unanswered (a server that can no longer be reached).
    const socket = `${new URL(server.url).searchParams.get("host")}/.s.PGSQL.5432`
    let passing = true
    const held: Array<NodeNet.Socket> = []
    const proxy = NodeNet.createServer((client) => {
      held.push(client)
      if (!passing) return
      const upstream = NodeNet.connect(socket)
      held.push(upstream)
      client.pipe(upstream).pipe(client)
      client.on("error", () => upstream.destroy())
      upstream.on("error", () => client.destroy())
    })
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve))
    const port = (proxy.address() as NodeNet.AddressInfo).port
    const analyst = await session()
    try {
      await analyst.query(`BEGIN; LOCK TABLE "${table()}" IN SHARE MODE`)
      const load = loadProcess([
        "load",
        run,
        "--into",
        `postgresql://postgres@127.0.0.1:${port}/postgres`,
        "--mode",
        "append"
      ])
      // Until the load's session waits for the analyst's lock.
      await withPostgres(server.url, async (q) => {
        for (;;) {
          const [[n]] = (await q(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'spotpipe load' AND wait_event_type = 'Lock'"
          )) as [[string]]
          if (n !== "0") return
          await new Promise((r) => setTimeout(r, 50))
        }
      })
      passing = false
      load.interrupt()
      const stopped = await load.ended
      expect(stopped.code, stopped.stderr).toBe(130)
      await analyst.query("ROLLBACK")
    } finally {
      analyst.end()
      for (const s of held) s.destroy()
      proxy.close()
    }
    await expectOneReplaceLoaded()
  }, 60_000)
})
